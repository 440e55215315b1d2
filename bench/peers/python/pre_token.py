"""Peer for comparison: a Cognito pre token generation trigger (event version 2) written the
way the popular "password expiry" samples write it for Python: read the change time from a
custom attribute, deny the sign-in by raising when the password is too old or a reset is
forced, and otherwise add the change and expiry times to the ID token. After a
NEW_PASSWORD_REQUIRED challenge it records the new password with AdminUpdateUserAttributes."""

import os
from datetime import datetime, timedelta, timezone

import boto3

MAX_AGE = timedelta(days=int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90")))
cognito = boto3.client("cognito-idp")


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def handler(event, context):
    attributes = event["request"].get("userAttributes") or {}
    if attributes.get("identities") not in (None, "", "[]") or attributes.get("cognito:user_status") == "EXTERNAL_PROVIDER":
        return event
    now = datetime.now(timezone.utc).replace(microsecond=0)
    if event["triggerSource"] == "TokenGeneration_NewPasswordChallenge":
        updates = [{"Name": "custom:password_changed_at", "Value": iso(now)}]
        if "custom:force_password_reset" in attributes:
            updates.append({"Name": "custom:force_password_reset", "Value": "false"})
        cognito.admin_update_user_attributes(
            UserPoolId=event["userPoolId"], Username=event["userName"], UserAttributes=updates
        )
        changed_at = now
    else:
        if attributes.get("custom:force_password_reset") == "true":
            raise Exception("Password reset required")
        stamp = attributes.get("custom:password_changed_at")
        if not stamp:
            return event
        changed_at = datetime.fromisoformat(stamp).astimezone(timezone.utc)
        if now - changed_at > MAX_AGE:
            raise Exception("Password expired: reset your password")
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {
                "password_changed_at": iso(changed_at),
                "password_expires_at": iso(changed_at + MAX_AGE),
            }
        }
    }
    return event
