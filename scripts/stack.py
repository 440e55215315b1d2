"""A local stand-in for the AWS side of the custom senders, for `make stack`.

`start` runs a moto server on 127.0.0.1 (KMS, SNS, SES), creates the KMS key Cognito would
encrypt codes with, verifies the SES sender, and writes:
  .local/stack.env      configuration for `make watch ENV_FILE=.local/stack.env`
  .local/events/*.json  custom sender events whose `code` is a real ciphertext, made with AWS's
                        Encryption SDK under that key exactly as Cognito makes them
`sent` prints what moto recorded (SMS and email); `stop` stops moto.
"""

import base64
import json
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import aws_encryption_sdk
import boto3
import botocore.session
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
PORT = int(os.environ.get("MOTO_PORT", "5055"))
ENDPOINT = f"http://127.0.0.1:{PORT}"
POOL = "us-east-1_LocalPool"
EMAIL_FROM = "no-reply@example.com"
AWS_ENV = {
    "AWS_ENDPOINT_URL": ENDPOINT,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", PORT), 0.5).close()
        return True
    except OSError:
        return False


def start() -> int:
    LOCAL.mkdir(exist_ok=True)
    (LOCAL / "events").mkdir(exist_ok=True)
    if listening():
        print(f"==> something already listens on 127.0.0.1:{PORT}; run `make stack-stop` or set MOTO_PORT")
        return 1
    log = open(LOCAL / "moto.log", "w")
    moto = subprocess.Popen(
        [str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(PORT)],
        stdout=log, stderr=log, start_new_session=True,
    )
    (LOCAL / "moto.pid").write_text(str(moto.pid))
    for _ in range(200):
        if listening():
            break
        time.sleep(0.1)
    else:
        print("moto did not start; see .local/moto.log")
        return 1
    os.environ.update(AWS_ENV)
    key_arn = boto3.client("kms").create_key(Description="cognito-reset local key")["KeyMetadata"]["Arn"]
    boto3.client("sesv2").create_email_identity(EmailIdentity=EMAIL_FROM)
    print(f"==> moto on {ENDPOINT} (pid {moto.pid}); KMS key {key_arn}")

    config = (ROOT / "config/local.env").read_text()
    env_lines = [config.rstrip(), *(f"{k}={v}" for k, v in AWS_ENV.items()), f"KEY_ARN={key_arn}", f"EMAIL_FROM={EMAIL_FROM}", "SMS_ALLOWED_COUNTRIES=US"]
    (LOCAL / "stack.env").write_text("\n".join(env_lines) + "\n")

    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(
        key_ids=[key_arn], botocore_session=botocore.session.Session()
    )
    for path in sorted((ROOT / "tests/fixtures/events").glob("custom-*-sender-*.json")):
        event = json.loads(path.read_text())
        event["userPoolId"] = POOL
        if event["request"].get("code") is not None:
            code = f"{secrets.randbelow(10**6):06d}"
            ciphertext, _ = client.encrypt(
                source=code.encode(), key_provider=provider,
                encryption_context={"userpool-id": POOL},
                algorithm=Algorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
            )
            event["request"]["code"] = base64.b64encode(ciphertext).decode()
            print(f"    .local/events/{path.name}: code {code}")
        (LOCAL / "events" / path.name).write_text(json.dumps(event, indent=2) + "\n")
    print("==> next: `make watch ENV_FILE=.local/stack.env`, then in another terminal")
    print("    `make invoke FN=custom-sms-sender EVENT=.local/events/custom-sms-sender-ForgotPassword.json`")
    print("    and `make sent` to see what was delivered; `make stack-stop` when done")
    return 0


def sent() -> int:
    data = json.load(urllib.request.urlopen(f"{ENDPOINT}/moto-api/data.json"))
    for sms in data.get("sns", {}).get("SMS", []):
        print(f"SMS to {sms['phone_number']}:\n  " + sms["message"].replace("\n", "\n  "))
    for mail in data.get("ses", {}).get("Message", []):
        to = ", ".join(mail["destinations"].get("ToAddresses", []))
        print(f"Email from {mail['source']} to {to}: {mail.get('subject')}  ({len(mail['body'])} characters of HTML)")
    return 0


def stop() -> int:
    pid_file = LOCAL / "moto.pid"
    if not pid_file.exists():
        print("no local stack running")
        return 0
    try:
        os.killpg(int(pid_file.read_text()), signal.SIGTERM)
    except ProcessLookupError:
        pass
    pid_file.unlink()
    print("==> moto stopped")
    return 0


if __name__ == "__main__":
    commands = {"start": start, "sent": sent, "stop": stop}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(f"usage: {sys.argv[0]} start|sent|stop")
        sys.exit(2)
    sys.exit(commands[sys.argv[1]]())
