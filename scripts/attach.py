"""`make attach POOL_ID=...`: wire the deployed functions into an existing user pool.

For pools created elsewhere (by Amplify or another stack), after `make deploy POOL_ID=...`.
Cognito's UpdateUserPool resets every setting it is not given, so this reads the pool with
DescribeUserPool and sends every updatable setting back unchanged, changing only the triggers
this project provides in LambdaConfig (other triggers are kept). Reads STACK and POOL_ID (and
PRE_TOKEN_VERSION, default V2_0) from the environment.
"""

import os
import sys

import boto3

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
    request["LambdaConfig"] = lambda_config
    return request


def main() -> None:
    pool_id = os.environ.get("POOL_ID") or sys.exit("attach: set POOL_ID (make attach POOL_ID=us-east-1_AbC123)")
    stack = os.environ.get("STACK", "cognito-reset")
    session = boto3.session.Session()
    stacks = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if outputs.get("UserPoolId") != pool_id:
        sys.exit(f"attach: stack {stack} was deployed for pool {outputs.get('UserPoolId')}, not {pool_id}: run make deploy POOL_ID={pool_id} first")
    idp = session.client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    request = update_request(pool, outputs, os.environ.get("PRE_TOKEN_VERSION", "V2_0"))
    idp.update_user_pool(**request)
    print(f"==> {pool_id}: triggers attached from stack {stack}; every other setting sent back unchanged")
    for key, value in sorted(request["LambdaConfig"].items()):
        print(f"    {key} = {value}")
    email = (pool.get("EmailConfiguration") or {}).get("EmailSendingAccount", "COGNITO_DEFAULT")
    if email != "DEVELOPER":
        print("    note: the pool sends email with COGNITO_DEFAULT; Cognito applies the custom message email body only with SES (DEVELOPER)")


if __name__ == "__main__":
    main()
