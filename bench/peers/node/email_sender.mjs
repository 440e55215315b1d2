// Peer for comparison: a Cognito custom email sender written the way AWS's documentation writes
// it for Node.js: decrypt with @aws-crypto/client-node and a KMS keyring, send with SES v2.
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';

const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
const keyring = new KmsKeyringNode({ keyIds: [process.env.KEY_ARN] });
const ses = new SESv2Client({});

export const handler = async (event) => {
  const { plaintext } = await decrypt(keyring, Buffer.from(event.request.code, 'base64'));
  await ses.send(
    new SendEmailCommand({
      FromEmailAddress: process.env.EMAIL_FROM,
      Destination: { ToAddresses: [event.request.userAttributes.email] },
      Content: {
        Simple: {
          Subject: { Data: 'Contoso: your password reset code' },
          Body: { Text: { Data: `Your password reset code is ${plaintext.toString()}. It expires in 1 hour.` } },
        },
      },
    }),
  );
};
