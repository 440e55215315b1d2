"""Peer for comparison: a Cognito custom email sender written the way AWS's documentation writes
it for Python: decrypt the code with the AWS Encryption SDK and a KMS key, send with SES v2."""

import base64
import os

import aws_encryption_sdk
import boto3
from aws_encryption_sdk.identifiers import CommitmentPolicy

KEY_ARN = os.environ["KEY_ARN"]
EMAIL_FROM = os.environ["EMAIL_FROM"]
client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
key_provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[KEY_ARN])
ses = boto3.client("sesv2")


def handler(event, context):
    request = event["request"]
    plaintext, _ = client.decrypt(source=base64.b64decode(request["code"]), key_provider=key_provider)
    code = plaintext.decode("utf-8")
    ses.send_email(
        FromEmailAddress=EMAIL_FROM,
        Destination={"ToAddresses": [request["userAttributes"]["email"]]},
        Content={
            "Simple": {
                "Subject": {"Data": "Contoso: your password reset code"},
                "Body": {"Text": {"Data": f"Your password reset code is {code}. It expires in 1 hour."}},
            }
        },
    )
    return None
