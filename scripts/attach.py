"""`make attach POOL_ID=...`: wire the deployed functions into an existing user pool.

For pools created elsewhere (by Amplify or another stack), after `make deploy POOL_ID=...`.

First the pool is checked, and nothing is changed while a check fails (one line per problem):
- the custom attributes the password rules use exist. Missing ones can be added with
  AddCustomAttributes, but custom attributes can never be removed, so this prints exactly what
  would be added and adds it only with CONFIRM=1;
- no app client can write them (a user could otherwise postpone their own expiry or clear a
  forced reset). An app client without WriteAttributes can write every attribute;
- the feature plan supports the pre token event version (V2_0/V3_0 need ESSENTIALS or PLUS),
  and ON_VIOLATION=restrict (as the deployed pre-token has it) has V2_0 or V3_0 events;
- the pool verifies email with codes: with CONFIRM_WITH_LINK Cognito needs a {##link##}
  placeholder the custom message does not write, so such pools are not supported.

Then, since UpdateUserPool resets every setting it is not given, the pool is read with
DescribeUserPool and every updatable setting sent back unchanged, changing only the triggers
this project provides in LambdaConfig (other triggers are kept). Reads STACK, POOL_ID,
PRE_TOKEN_VERSION (default V2_0) and CONFIRM from the environment.
"""

import json
import os
import sys

import boto3

# The custom attributes the password rules use (PASSWORD_CHANGED_ATTRIBUTE, FORCE_RESET_ATTRIBUTE).
RULE_ATTRIBUTES = {
    "custom:password_changed_at": {"Name": "password_changed_at", "AttributeDataType": "String", "Mutable": True,
                                   "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "64"}},
    "custom:force_password_reset": {"Name": "force_password_reset", "AttributeDataType": "String", "Mutable": True,
                                    "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "8"}},
}
PRE_TOKEN_VERSIONS = ("V1_0", "V2_0", "V3_0")

# The settings UpdateUserPool accepts, as DescribeUserPool names them.
UPDATABLE = [
    "Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes", "SmsVerificationMessage",
    "EmailVerificationMessage", "EmailVerificationSubject", "VerificationMessageTemplate",
    "SmsAuthenticationMessage", "UserAttributeUpdateSettings", "MfaConfiguration", "DeviceConfiguration",
    "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "AdminCreateUserConfig", "UserPoolAddOns",
    "AccountRecoverySetting", "UserPoolTier",
]


def update_request(pool: dict, outputs: dict, pre_token_version: str) -> dict:
    """The UpdateUserPool request: the pool as it is, with this project's triggers set."""
    request = {"UserPoolId": pool["Id"]}
    for key in UPDATABLE:
        if key in pool and pool[key] not in (None, {}, []):
            request[key] = pool[key]
    if "Name" in pool:
        request["PoolName"] = pool["Name"]
    # DescribeUserPool still returns the deprecated UnusedAccountValidityDays, but UpdateUserPool
    # refuses it ("Please use TemporaryPasswordValidityDays in PasswordPolicy instead"); the
    # password policy sent back carries the validity.
    request.get("AdminCreateUserConfig", {}).pop("UnusedAccountValidityDays", None)
    lambda_config = dict(pool.get("LambdaConfig") or {})
    lambda_config["CustomMessage"] = outputs["CustomMessageFunctionArn"]
    lambda_config["PostConfirmation"] = outputs["PostConfirmationFunctionArn"]
    lambda_config["PreTokenGeneration"] = outputs["PreTokenFunctionArn"]
    lambda_config["PreTokenGenerationConfig"] = {"LambdaArn": outputs["PreTokenFunctionArn"], "LambdaVersion": pre_token_version}
    if "CodeKeyArn" in outputs:
        lambda_config["CustomSMSSender"] = {"LambdaArn": outputs["CustomSmsSenderFunctionArn"], "LambdaVersion": "V1_0"}
        lambda_config["CustomEmailSender"] = {"LambdaArn": outputs["CustomEmailSenderFunctionArn"], "LambdaVersion": "V1_0"}
        lambda_config["KMSKeyID"] = outputs["CodeKeyArn"]
    # The stack's user migration, when it deploys one (the function is named after the stack,
    # as pre-token is); when it no longer does, the pool stops calling the one it left.
    ours = outputs["PreTokenFunctionArn"].removesuffix("-pre-token") + "-user-migration"
    if "UserMigrationFunctionArn" in outputs:
        lambda_config["UserMigration"] = outputs["UserMigrationFunctionArn"]
    elif lambda_config.get("UserMigration") == ours:
        del lambda_config["UserMigration"]
    request["LambdaConfig"] = lambda_config
    return request


def missing_attributes(pool: dict) -> list:
    """The schema entries of the rule attributes the pool does not define."""
    defined = {a["Name"] if a["Name"].startswith("custom:") else f"custom:{a['Name']}"
               for a in pool.get("SchemaAttributes") or []}
    return [schema for name, schema in RULE_ATTRIBUTES.items() if name not in defined]


def problems(pool: dict, clients: list, pre_token_version: str, on_violation: str) -> list:
    """Everything that stops the rules from working on this pool, one line each."""
    out = []
    for client in clients:
        writes = client.get("WriteAttributes")
        if not writes:
            out.append(f"app client {client['ClientId']} ({client.get('ClientName', '')}) sets no WriteAttributes, so it can write "
                       f"every attribute, the password-rule ones included: give it WriteAttributes without {', '.join(RULE_ATTRIBUTES)}")
            continue
        for name in RULE_ATTRIBUTES:
            if name in writes:
                out.append(f"app client {client['ClientId']} ({client.get('ClientName', '')}) can write {name}: remove it from its "
                           "WriteAttributes (a user could postpone their own expiry or clear a forced reset)")
    tier = pool.get("UserPoolTier") or "ESSENTIALS"
    if pre_token_version not in PRE_TOKEN_VERSIONS:
        out.append(f"PRE_TOKEN_VERSION must be one of {', '.join(PRE_TOKEN_VERSIONS)}, not {pre_token_version!r}")
    elif pre_token_version != "V1_0" and tier == "LITE":
        out.append(f"pre token events {pre_token_version} need the ESSENTIALS or PLUS feature plan; the pool is on LITE: "
                   "set PRE_TOKEN_VERSION=V1_0 (with ON_VIOLATION=deny) or change the plan")
    if on_violation == "restrict" and pre_token_version == "V1_0":
        out.append("the deployed pre-token has ON_VIOLATION=restrict, which changes access token scopes and needs "
                   "PRE_TOKEN_VERSION V2_0 or V3_0; with V1_0 events use OnViolation=deny")
    template = pool.get("VerificationMessageTemplate") or {}
    if template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK":
        out.append("the pool verifies email with a link (CONFIRM_WITH_LINK): not supported, the custom message writes "
                   "codes; set VerificationMessageTemplate.DefaultEmailOption=CONFIRM_WITH_CODE")
    return out


def check_pool(idp, pool_id: str, pre_token_version: str, on_violation: str):
    """Reads the pool and its app clients: (pool, problems, missing attribute schemas)."""
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    clients = [idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=c["ClientId"])["UserPoolClient"]
               for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60)
               for c in page["UserPoolClients"]]
    return pool, problems(pool, clients, pre_token_version, on_violation), missing_attributes(pool)


def pre_token_setting(session, outputs: dict, name: str, default: str) -> str:
    """A variable of the deployed pre-token function."""
    config = session.client("lambda").get_function_configuration(FunctionName=outputs["PreTokenFunctionArn"])
    value = ((config.get("Environment") or {}).get("Variables") or {}).get(name)
    return str(value) if value not in (None, "") else default


def main() -> None:
    pool_id = os.environ.get("POOL_ID") or sys.exit("attach: set POOL_ID (make attach POOL_ID=us-east-1_AbC123)")
    stack = os.environ.get("STACK", "cognito-reset")
    pre_token_version = os.environ.get("PRE_TOKEN_VERSION") or "V2_0"
    if pre_token_version not in PRE_TOKEN_VERSIONS:
        sys.exit(f"attach: PRE_TOKEN_VERSION must be one of {', '.join(PRE_TOKEN_VERSIONS)}, not {pre_token_version!r}")
    session = boto3.session.Session()
    stacks = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if outputs.get("UserPoolId") != pool_id:
        sys.exit(f"attach: stack {stack} was deployed for pool {outputs.get('UserPoolId')}, not {pool_id}: run make deploy POOL_ID={pool_id} first")
    idp = session.client("cognito-idp")
    on_violation = pre_token_setting(session, outputs, "ON_VIOLATION", "deny")
    pool, found, missing = check_pool(idp, pool_id, pre_token_version, on_violation)
    confirmed = os.environ.get("CONFIRM") == "1"
    if missing and not confirmed:
        names = ", ".join(f"custom:{a['Name']}" for a in missing)
        found.append(f"the pool lacks the custom attributes {names}; run again with CONFIRM=1 to add them "
                     "(custom attributes can never be removed from a pool)")
    if found:
        for line in found:
            print(f"attach: {pool_id}: {line}", file=sys.stderr)
        sys.exit(f"attach: {pool_id}: nothing changed ({len(found)} problem{'s' if len(found) > 1 else ''})")
    if missing:
        for schema in missing:
            print(f"==> {pool_id}: adding custom attribute custom:{schema['Name']} = {json.dumps(schema)}")
        idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=missing)
        pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    request = update_request(pool, outputs, pre_token_version)
    idp.update_user_pool(**request)
    print(f"==> {pool_id}: triggers attached from stack {stack}; every other setting sent back unchanged")
    for key, value in sorted(request["LambdaConfig"].items()):
        print(f"    {key} = {value}")
    email = (pool.get("EmailConfiguration") or {}).get("EmailSendingAccount", "COGNITO_DEFAULT")
    if email != "DEVELOPER":
        print("    note: the pool sends email with COGNITO_DEFAULT; Cognito applies the custom message email body only with SES (DEVELOPER)")


if __name__ == "__main__":
    main()
