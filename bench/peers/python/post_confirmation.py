"""Peer for comparison: a Cognito post confirmation trigger written the way the popular
"password expiry" samples write it for Python: after a reset by code
(PostConfirmation_ConfirmForgotPassword) it records the change time, and clears the
forced-reset flag, with AdminUpdateUserAttributes."""

from datetime import datetime, timezone

import boto3

cognito = boto3.client("cognito-idp")


def handler(event, context):
    if event["triggerSource"] != "PostConfirmation_ConfirmForgotPassword":
        return event
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    updates = [{"Name": "custom:password_changed_at", "Value": now}]
    if "custom:force_password_reset" in event["request"]["userAttributes"]:
        updates.append({"Name": "custom:force_password_reset", "Value": "false"})
    cognito.admin_update_user_attributes(
        UserPoolId=event["userPoolId"], Username=event["userName"], UserAttributes=updates
    )
    return event
