"""Peer for comparison: a Cognito custom SMS sender written the way AWS's documentation writes
it for Python: decrypt the code with the AWS Encryption SDK and a KMS key, publish with SNS."""

import base64
import os

import aws_encryption_sdk
import boto3
from aws_encryption_sdk.identifiers import CommitmentPolicy

KEY_ARN = os.environ["KEY_ARN"]
client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
key_provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[KEY_ARN])
sns = boto3.client("sns")


def handler(event, context):
    request = event["request"]
    plaintext, _ = client.decrypt(source=base64.b64decode(request["code"]), key_provider=key_provider)
    code = plaintext.decode("utf-8")
    sns.publish(
        PhoneNumber=request["userAttributes"]["phone_number"],
        Message=f"Contoso: your password reset code is {code}. It expires in 1 hour.",
        MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
    )
    return None
