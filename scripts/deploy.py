"""`make deploy`: upload the function zips and deploy infra/template.json with CloudFormation.

Reads its settings from the environment (the Makefile passes its variables):
  STACK (cognito-reset), AWS_REGION, ARTIFACT_BUCKET (default cognito-reset-<account>-<region>),
  ZIP_DIR (target/lambda: <function>/bootstrap.zip from `cargo lambda build --output-format zip`),
  POOL_ID (existing-pool mode), EMAIL_FROM, SES_IDENTITY_ARN, and PARAMS: extra
  `Key=Value` template parameters separated by spaces (e.g. "PasswordMinimumLength=32 AccountRecovery=EMAIL_ONLY").
Prints the stack outputs. Uses boto3, so AWS_ENDPOINT_URL points it at a local stand-in.
"""

import hashlib
import os
import pathlib
import sys
import time

import boto3
from botocore.exceptions import ClientError

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.json"
FUNCTIONS = {
    "custom-message": "CustomMessageCodeKey",
    "custom-sms-sender": "CustomSmsSenderCodeKey",
    "custom-email-sender": "CustomEmailSenderCodeKey",
    "pre-token": "PreTokenCodeKey",
    "post-confirmation": "PostConfirmationCodeKey",
}


def fail(message: str) -> None:
    print(f"deploy: {message}", file=sys.stderr)
    sys.exit(1)


def parameters() -> dict:
    params = {}
    for item in os.environ.get("PARAMS", "").split():
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"PARAMS entries are Key=Value, not {item!r}")
        params[key] = value
    if os.environ.get("POOL_ID"):
        params["ExistingUserPoolId"] = os.environ["POOL_ID"]
    for env, key in (("EMAIL_FROM", "EmailFrom"), ("SES_IDENTITY_ARN", "SesIdentityArn")):
        if os.environ.get(env):
            params[key] = os.environ[env]
    for required in ("EmailFrom", "SesIdentityArn"):
        if required not in params:
            fail(f"{required} is required: set EMAIL_FROM and SES_IDENTITY_ARN (make deploy EMAIL_FROM=... SES_IDENTITY_ARN=...)")
    return params


def upload(s3, bucket: str, zip_dir: pathlib.Path) -> dict:
    keys = {}
    for function, parameter in FUNCTIONS.items():
        path = zip_dir / function / "bootstrap.zip"
        if not path.is_file():
            fail(f"{path} is missing: run `make build-zip` (or `make deploy`, which builds)")
        body = path.read_bytes()
        key = f"{function}/{hashlib.sha256(body).hexdigest()[:16]}.zip"
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        keys[parameter] = key
        print(f"==> uploaded {function} ({len(body)} bytes) to s3://{bucket}/{key}")
    return keys


def wait(cf, stack: str) -> dict:
    while True:
        s = cf.describe_stacks(StackName=stack)["Stacks"][0]
        if not s["StackStatus"].endswith("_IN_PROGRESS"):
            return s
        time.sleep(2)


def main() -> None:
    stack = os.environ.get("STACK", "cognito-reset")
    session = boto3.session.Session()
    region = session.region_name or fail("set AWS_REGION")
    account = session.client("sts").get_caller_identity()["Account"]
    bucket = os.environ.get("ARTIFACT_BUCKET") or f"cognito-reset-{account}-{region}"
    s3 = session.client("s3")
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        print(f"==> creating artifact bucket {bucket}")
        kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **kwargs)
    params = parameters()
    params.update(upload(s3, bucket, pathlib.Path(os.environ.get("ZIP_DIR", ROOT / "target" / "lambda"))))
    params["ArtifactBucket"] = bucket
    cf = session.client("cloudformation")
    args = dict(
        StackName=stack,
        TemplateBody=TEMPLATE.read_text(),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
    )
    try:
        cf.describe_stacks(StackName=stack)
        print(f"==> updating stack {stack} in {region}")
        try:
            cf.update_stack(**args)
        except ClientError as e:
            if "No updates are to be performed" not in str(e):
                raise
            print("==> no changes")
    except ClientError as e:
        if "does not exist" not in str(e):
            raise
        print(f"==> creating stack {stack} in {region}")
        cf.create_stack(**args)
    result = wait(cf, stack)
    if result["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        for event in cf.describe_stack_events(StackName=stack)["StackEvents"][:10]:
            if "FAILED" in event["ResourceStatus"]:
                print(f"    {event['LogicalResourceId']}: {event.get('ResourceStatusReason')}", file=sys.stderr)
        fail(f"stack {stack} ended in {result['StackStatus']}")
    print(f"==> stack {stack}: {result['StackStatus']}")
    for output in result.get("Outputs", []):
        print(f"    {output['OutputKey']} = {output['OutputValue']}")


if __name__ == "__main__":
    main()
