// Peer for comparison: a Cognito custom SMS sender written the way AWS's documentation writes
// it for Node.js: decrypt with @aws-crypto/client-node and a KMS keyring, publish with SNS.
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
const keyring = new KmsKeyringNode({ keyIds: [process.env.KEY_ARN] });
const sns = new SNSClient({});

export const handler = async (event) => {
  const { plaintext } = await decrypt(keyring, Buffer.from(event.request.code, 'base64'));
  await sns.send(
    new PublishCommand({
      PhoneNumber: event.request.userAttributes.phone_number,
      Message: `Contoso: your password reset code is ${plaintext.toString()}. It expires in 1 hour.`,
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
    }),
  );
};
