"""`make deploy`: upload the function zips and deploy infra/template.json with CloudFormation.

Reads its settings from the environment (the Makefile passes its variables):
  STACK (cognito-reset), AWS_REGION, ARTIFACT_BUCKET (default cognito-reset-<account>-<region>,
  created with versioning if missing),
  ZIP_DIR (target/lambda: <function>/bootstrap.zip from `cargo lambda build --output-format zip`),
  POOL_ID (existing-pool mode), EMAIL_FROM, SES_IDENTITY_ARN, LEGACY_DATABASE_SECRET_ARN and
  LEGACY_USER_QUERY, or LEGACY_USER_ENDPOINT and LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN (user
  migration, read from the environment as they are), and PARAMS: extra
  `Key=Value` template parameters separated by spaces (e.g. "PasswordMinimumLength=32 AccountRecovery=EMAIL_ONLY").
Before any AWS call, the configuration each function would get is checked with the functions'
own parsers (`check-config`), and a missing or invalid value is refused with the variable's
name and its rule. Uploads only to a bucket the deploying account owns (every S3 request but
CreateBucket, which has no such parameter, carries ExpectedBucketOwner, and a bucket it creates
is checked the same way next), passes the uploaded object versions to the template, and after
deployment compares each function's CodeSha256 with the zip it built. Prints the stack outputs.
Uses boto3, so AWS_ENDPOINT_URL points it at a local stand-in.
"""

import base64
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import time

import boto3
from botocore.exceptions import ClientError

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.json"
# The functions are the workspace's functions/ folders; the template names each one's resource
# and code key after it (custom-sms-sender: CustomSmsSenderFunction, CustomSmsSenderCodeKey).
FUNCTION_NAMES = sorted(p.name for p in (ROOT / "functions").iterdir() if (p / "Cargo.toml").is_file())


def pascal(function: str) -> str:
    return "".join(word.capitalize() for word in function.split("-"))


FUNCTION_RESOURCES = {f"{pascal(f)}Function": f for f in FUNCTION_NAMES}
FUNCTIONS = {f: f"{pascal(f)}CodeKey" for f in FUNCTION_NAMES}


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
    # User migration's settings come from the environment as they are: a query has spaces, which
    # PARAMS splits at, and a $1, which make would expand if it passed through a make variable.
    for env, key in (("EMAIL_FROM", "EmailFrom"), ("SES_IDENTITY_ARN", "SesIdentityArn"), ("SMS_ALLOWED_COUNTRIES", "SmsAllowedCountries"),
                     ("LEGACY_DATABASE_SECRET_ARN", "LegacyDatabaseSecretArn"), ("LEGACY_USER_QUERY", "LegacyUserQuery"),
                     ("LEGACY_USER_ENDPOINT", "LegacyUserEndpoint"),
                     ("LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN", "LegacyUserEndpointTokenSecretArn"),
                     ("LEGACY_SECRET_KMS_KEY_ARN", "LegacySecretKmsKeyArn")):
        if os.environ.get(env):
            params[key] = os.environ[env]
    for required in ("EmailFrom", "SesIdentityArn"):
        if required not in params:
            fail(f"{required} is required: set EMAIL_FROM and SES_IDENTITY_ARN (make deploy EMAIL_FROM=... SES_IDENTITY_ARN=...)")
    if "SmsAllowedCountries" not in params:
        question = ("SMS_ALLOWED_COUNTRIES is required: the countries SMS may go to, e.g. US,CA (or ALL; "
                    "sending to every country invites SMS pumping)")
        if sys.stdin.isatty():
            params["SmsAllowedCountries"] = input(f"{question}\nSMS_ALLOWED_COUNTRIES: ").strip()
        else:
            fail(f"{question}: make deploy SMS_ALLOWED_COUNTRIES=US,CA ...")
    return params


def function_environments(template: dict, params: dict) -> dict:
    """The environment each function gets from the template with these parameters."""
    given = {k: str(v) for k, v in params.items()}
    values = {k: given.get(k, str(p.get("Default", ""))) for k, p in template["Parameters"].items()}
    placeholders = {
        "CodeKey": "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
        "DeliveryTable": "stack-deliveries",
    }
    conditions = {"DeliveryTableOn": values.get("DeliveryTableEnabled") == "true"}

    def resolve(value):
        if isinstance(value, str):
            return value
        if "Ref" in value:
            return values.get(value["Ref"], placeholders.get(value["Ref"], ""))
        if "Fn::GetAtt" in value:
            return placeholders[value["Fn::GetAtt"][0]]
        if "Fn::If" in value:
            condition, then, otherwise = value["Fn::If"]
            return resolve(then if conditions[condition] else otherwise)
        if "Fn::Sub" in value and "{{resolve:secretsmanager:" in value["Fn::Sub"]:
            # A generated secret (the delivery table's hash key): 64 letters and digits.
            return "0" * 64
        raise ValueError(f"cannot evaluate {value}")

    out = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        function = FUNCTION_RESOURCES[name]
        variables = resource["Properties"].get("Environment", {}).get("Variables", {})
        env = {var: resolve(value) for var, value in variables.items()}
        out[function] = {k: v for k, v in env.items() if v != ""}
    return out


def check_existing_pool(session, template: dict, params: dict) -> None:
    """The pool checks of `make attach`, before anything is deployed for an existing pool."""
    import attach

    defaults = template["Parameters"]
    version = params.get("PreTokenVersion", defaults["PreTokenVersion"]["Default"])
    on_violation = params.get("OnViolation", defaults["OnViolation"]["Default"])
    pool_id = params["ExistingUserPoolId"]
    _, found, missing = attach.check_pool(session.client("cognito-idp"), pool_id, version, on_violation)
    for line in found:
        print(f"deploy: {pool_id}: {line}", file=sys.stderr)
    if found:
        fail(f"{pool_id}: nothing deployed ({len(found)} problem{'s' if len(found) > 1 else ''})")
    if missing:
        names = ", ".join(f"custom:{a['Name']}" for a in missing)
        print(f"==> {pool_id} lacks {names}: `make attach POOL_ID={pool_id} CONFIRM=1` will add them")


def check_configuration(template: dict, params: dict) -> None:
    """Refuses, before any AWS call, a configuration a function would not accept."""
    unknown = sorted(set(params) - set(template["Parameters"]))
    if unknown:
        fail(f"unknown template parameters: {', '.join(unknown)}")
    envs = function_environments(template, params)
    if params.get("CustomSenders", template["Parameters"]["CustomSenders"]["Default"]) != "true":
        envs = {f: e for f, e in envs.items() if f not in ("custom-sms-sender", "custom-email-sender")}
    # User migration is deployed only with a legacy store (the template's MigrationOn).
    if not any(params.get(store, template["Parameters"][store]["Default"])
               for store in ("LegacyDatabaseSecretArn", "LegacyUserEndpoint")):
        envs.pop("user-migration", None)
    checker = os.environ.get("CHECK_CONFIG") or None
    command = [checker] if checker else ["cargo", "run", "--quiet", "--locked", "-p", "check-config"]
    result = subprocess.run(command, input=json.dumps(envs), text=True, capture_output=True, cwd=ROOT)
    if result.returncode != 0:
        for line in result.stderr.strip().splitlines():
            print(f"deploy: {line}", file=sys.stderr)
        fail("the functions would refuse this configuration: nothing was deployed")


def error_code(e: ClientError) -> str:
    return str(e.response.get("Error", {}).get("Code", ""))


def artifact_bucket(s3, account: str, region: str) -> str:
    """The bucket to upload to, which this account owns: ARTIFACT_BUCKET, or the default name,
    created with versioning if missing. Fails when the bucket belongs to another account."""
    bucket = os.environ.get("ARTIFACT_BUCKET") or f"cognito-reset-{account}-{region}"
    owner = {"ExpectedBucketOwner": account}
    not_ours = (f"artifact bucket {bucket} exists but is not owned by account {account} (or you may not "
                "read it): nothing was uploaded. Someone else may hold the name: set ARTIFACT_BUCKET to a "
                "bucket this account owns")
    try:
        s3.head_bucket(Bucket=bucket, **owner)
        created = False
    except ClientError as e:
        if error_code(e) in ("403", "AccessDenied", "Forbidden"):
            fail(not_ours)
        if error_code(e) not in ("404", "NoSuchBucket", "NotFound"):
            raise
        print(f"==> creating artifact bucket {bucket}")
        kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        try:
            s3.create_bucket(Bucket=bucket, **kwargs)
        except ClientError as e2:
            if error_code(e2) == "BucketAlreadyExists":
                fail(not_ours)
            if error_code(e2) != "BucketAlreadyOwnedByYou":
                raise
        try:
            s3.head_bucket(Bucket=bucket, **owner)
        except ClientError as e2:
            if error_code(e2) in ("403", "AccessDenied", "Forbidden"):
                fail(not_ours)
            raise
        created = True
    if created or not os.environ.get("ARTIFACT_BUCKET"):
        # Its own bucket (this script makes it): versioned, so the stack names the exact objects.
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}, **owner)
    elif s3.get_bucket_versioning(Bucket=bucket, **owner).get("Status") != "Enabled":
        print(f"==> {bucket} is not versioned: the functions get the latest object of each key, "
              "and the deployed code is compared with the zips after deployment")
    return bucket


def upload(s3, bucket: str, account: str, zip_dir: pathlib.Path) -> tuple[dict, dict]:
    """Uploads each zip; returns the template parameters (key, and version when the bucket is
    versioned) and each zip's CodeSha256."""
    params, digests = {}, {}
    owner = {"ExpectedBucketOwner": account}
    for function, parameter in FUNCTIONS.items():
        path = zip_dir / function / "bootstrap.zip"
        if not path.is_file():
            fail(f"{path} is missing: run `make build-zip` (or `make deploy`, which builds)")
        body = path.read_bytes()
        key = f"{function}/{hashlib.sha256(body).hexdigest()[:16]}.zip"
        # Uploaded every time: in a versioned bucket each deployment names a new version, so the
        # stack puts back code changed outside it (make deploy-fn) even when the zip is the same.
        version = s3.put_object(Bucket=bucket, Key=key, Body=body, **owner).get("VersionId")
        params[parameter] = key
        pinned = ""
        if version and version != "null":
            params[parameter.replace("CodeKey", "CodeVersion")] = version
            pinned = f" (version {version})"
        digests[function] = base64.b64encode(hashlib.sha256(body).digest()).decode()
        print(f"==> uploaded {function} ({len(body)} bytes) to s3://{bucket}/{key}{pinned}")
    return params, digests


def verify_code(session, cf, stack: str, digests: dict) -> None:
    """Fails unless every deployed function runs the zip this run built (Lambda's CodeSha256 is
    the base64 SHA-256 of the deployment package)."""
    lam = session.client("lambda")
    names = {r["LogicalResourceId"]: r["PhysicalResourceId"]
             for page in cf.get_paginator("list_stack_resources").paginate(StackName=stack)
             for r in page["StackResourceSummaries"]
             if r.get("ResourceType") == "AWS::Lambda::Function"}
    wrong, checked = [], 0
    for logical, function in FUNCTION_RESOURCES.items():
        if logical not in names:
            continue  # not in this stack (CustomSenders=false)
        deployed = lam.get_function_configuration(FunctionName=names[logical])["CodeSha256"]
        checked += 1
        if deployed != digests[function]:
            wrong.append(f"{function}: the deployed code has CodeSha256 {deployed}, the zip built {digests[function]}")
    for line in wrong:
        print(f"deploy: {line}", file=sys.stderr)
    if wrong:
        fail(f"stack {stack}: {len(wrong)} function{'s' if len(wrong) > 1 else ''} not running the code this "
             "deployment built and uploaded: the object changed after the upload, or the code was changed "
             "outside the stack (make deploy-fn) and an unversioned ARTIFACT_BUCKET gave the stack nothing "
             "new to deploy")
    print(f"==> the {checked} deployed functions run the uploaded zips (CodeSha256 checked)")


def wait(cf, stack: str) -> dict:
    while True:
        s = cf.describe_stacks(StackName=stack)["Stacks"][0]
        if not s["StackStatus"].endswith("_IN_PROGRESS"):
            return s
        time.sleep(2)


def main() -> None:
    stack = os.environ.get("STACK", "cognito-reset")
    template = json.loads(TEMPLATE.read_text())
    params = parameters()
    check_configuration(template, params)
    if "--check" in sys.argv[1:]:
        print("==> configuration accepted by every function")
        return
    session = boto3.session.Session()
    region = session.region_name or fail("set AWS_REGION")
    if params.get("ExistingUserPoolId"):
        check_existing_pool(session, template, params)
    account = session.client("sts").get_caller_identity()["Account"]
    s3 = session.client("s3")
    bucket = artifact_bucket(s3, account, region)
    uploaded, digests = upload(s3, bucket, account, pathlib.Path(os.environ.get("ZIP_DIR", ROOT / "target" / "lambda")))
    params.update(uploaded)
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
    verify_code(session, cf, stack, digests)
    for output in result.get("Outputs", []):
        print(f"    {output['OutputKey']} = {output['OutputValue']}")


if __name__ == "__main__":
    main()
