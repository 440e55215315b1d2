"""Encrypt a code the way Amazon Cognito does before calling a custom sender trigger.

Uses AWS's own Encryption SDK for Python under a KMS key (point AWS_ENDPOINT_URL at moto),
with `userpool-id` in the encryption context. `--suite cognito` is the non-committing, signed
suite real Cognito uses (AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384, 0x0378);
`--suite committing` is the SDK's default committing suite (what cognito-local produces).
The plaintext is read from standard input so it never appears in a process listing.
Prints the base64 message, as Cognito puts it in `request.code`.
"""

import argparse
import base64
import sys

import aws_encryption_sdk
import botocore.session
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy


def encrypt_codes(key_arn: str, user_pool_id: str, plaintexts: list, suite: str = "cognito") -> list:
    """Each plaintext (bytes) encrypted as Cognito encrypts a code: the base64 messages."""
    if suite == "cognito":
        policy = CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
        algorithm = Algorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384
    else:
        policy = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
        algorithm = Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384

    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=policy)
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(
        key_ids=[key_arn], botocore_session=botocore.session.Session()
    )
    codes = []
    for plaintext in plaintexts:
        ciphertext, header = client.encrypt(
            source=plaintext,
            key_provider=provider,
            encryption_context={"userpool-id": user_pool_id},
            algorithm=algorithm,
        )
        assert header.algorithm == algorithm, header.algorithm
        codes.append(base64.b64encode(ciphertext).decode("ascii"))
    return codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key-arn", required=True)
    parser.add_argument("--user-pool-id", required=True)
    parser.add_argument("--suite", choices=["cognito", "committing"], default="cognito")
    parser.add_argument("--lines", action="store_true", help="encrypt each line of stdin; one ciphertext per line")
    args = parser.parse_args()
    plaintexts = sys.stdin.buffer.read().splitlines() if args.lines else [sys.stdin.buffer.read()]
    codes = encrypt_codes(args.key_arn, args.user_pool_id, plaintexts, args.suite)
    sys.stdout.write("\n".join(codes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
