"""A local stand-in for the AWS side of the custom senders, for `make stack`.

`start` runs a moto server on 127.0.0.1 (KMS, SNS, SES), creates the KMS key Cognito would
encrypt codes with, verifies the SES sender, and writes:
  .local/stack.env      configuration for `make watch ENV_FILE=.local/stack.env`
  .local/events/*.json  custom sender events whose `code` is a real ciphertext, made with AWS's
                        Encryption SDK under that key exactly as Cognito makes them
`sent` prints what moto recorded (SMS and email); `stop` stops moto.

With SMS_BACKEND=end-user-messaging, `start` also runs a stand-in for AWS End User Messaging
SMS on 127.0.0.1:EUM_PORT (5056; moto has no such service): it records each SendTextMessage
request in .local/eum-sent.jsonl and answers with a MessageId, and the configuration points the
SMS sender at it.
"""

import http.server
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

import boto3

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Codes are encrypted by the same helper the tests use, as Cognito encrypts them.
sys.path.insert(0, str(ROOT / "tests/support"))
from esdk_encrypt import encrypt_codes  # noqa: E402
LOCAL = ROOT / ".local"
PORT = int(os.environ.get("MOTO_PORT", "5055"))
ENDPOINT = f"http://127.0.0.1:{PORT}"
EUM_PORT = int(os.environ.get("EUM_PORT", "5056"))
SMS_BACKEND = os.environ.get("SMS_BACKEND") or "sns"
POOL = "us-east-1_LocalPool"
EMAIL_FROM = "no-reply@example.com"
AWS_ENV = {
    "AWS_ENDPOINT_URL": ENDPOINT,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def listening(port: int = PORT) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


class EumStandIn(http.server.BaseHTTPRequestHandler):
    """Records SendTextMessage requests (JSON 1.0, X-Amz-Target) and answers as the service does."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        with open(LOCAL / "eum-sent.jsonl", "a") as out:
            out.write(json.dumps({"target": self.headers.get("x-amz-target"), "request": body}) + "\n")
        answer = json.dumps({"MessageId": f"stand-in-{secrets.token_hex(8)}"}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/x-amz-json-1.0")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


def eum_serve() -> int:
    http.server.ThreadingHTTPServer(("127.0.0.1", EUM_PORT), EumStandIn).serve_forever()
    return 0


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
    if SMS_BACKEND == "end-user-messaging":
        if listening(EUM_PORT):
            print(f"==> something already listens on 127.0.0.1:{EUM_PORT}; run `make stack-stop` or set EUM_PORT")
            return 1
        (LOCAL / "eum-sent.jsonl").write_text("")
        eum = subprocess.Popen([sys.executable, __file__, "eum-serve"], stdout=log, stderr=log, start_new_session=True)
        (LOCAL / "eum.pid").write_text(str(eum.pid))
        for _ in range(100):
            if listening(EUM_PORT):
                break
            time.sleep(0.1)
        env_lines += ["SMS_BACKEND=end-user-messaging", f"AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2=http://127.0.0.1:{EUM_PORT}"]
        print(f"==> End User Messaging stand-in on 127.0.0.1:{EUM_PORT} (pid {eum.pid}); SMS go there")
    (LOCAL / "stack.env").write_text("\n".join(env_lines) + "\n")

    for path in sorted((ROOT / "tests/fixtures/events").glob("custom-*-sender-*.json")):
        event = json.loads(path.read_text())
        event["userPoolId"] = POOL
        if event["request"].get("code") is not None:
            code = f"{secrets.randbelow(10**6):06d}"
            (event["request"]["code"],) = encrypt_codes(key_arn, POOL, [code.encode()])
            print(f"    .local/events/{path.name}: code {code}")
        (LOCAL / "events" / path.name).write_text(json.dumps(event, indent=2) + "\n")
    print("==> next: `make watch ENV_FILE=.local/stack.env`, then in another terminal")
    print("    `make invoke FN=custom-sms-sender EVENT=.local/events/custom-sms-sender-ForgotPassword.json`")
    print("    and `make sent` to see what was delivered; `make stack-stop` when done")
    return 0


def sent() -> int:
    eum_log = LOCAL / "eum-sent.jsonl"
    if eum_log.exists():
        for line in eum_log.read_text().splitlines():
            req = json.loads(line)["request"]
            print(f"SMS (End User Messaging) to {req.get('DestinationPhoneNumber')}, TTL {req.get('TimeToLive')} s, "
                  f"context {req.get('Context')}, dry run {req.get('DryRun')}:\n  " + str(req.get("MessageBody")).replace("\n", "\n  "))
    data = json.load(urllib.request.urlopen(f"{ENDPOINT}/moto-api/data.json"))
    for sms in data.get("sns", {}).get("SMS", []):
        print(f"SMS to {sms['phone_number']}:\n  " + sms["message"].replace("\n", "\n  "))
    for mail in data.get("ses", {}).get("Message", []):
        to = ", ".join(mail["destinations"].get("ToAddresses", []))
        print(f"Email from {mail['source']} to {to}: {mail.get('subject')}  ({len(mail['body'])} characters of HTML)")
    return 0


def stop() -> int:
    stopped = False
    for name in ("moto", "eum"):
        pid_file = LOCAL / f"{name}.pid"
        if not pid_file.exists():
            continue
        try:
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
        except ProcessLookupError:
            pass
        pid_file.unlink()
        stopped = True
    (LOCAL / "eum-sent.jsonl").unlink(missing_ok=True)
    print("==> local stack stopped" if stopped else "no local stack running")
    return 0


if __name__ == "__main__":
    commands = {"start": start, "sent": sent, "stop": stop, "eum-serve": eum_serve}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(f"usage: {sys.argv[0]} start|sent|stop")
        sys.exit(2)
    sys.exit(commands[sys.argv[1]]())
