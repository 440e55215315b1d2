"""`make force-reset POOL_ID=... RESET_USER=...`: force one user to reset their password by code.

For evidence of compromise (a leaked password, a takeover report). Two calls, in this order:

1. AdminUpdateUserAttributes sets FORCE_RESET_ATTRIBUTE (default custom:force_password_reset)
   to the minute it is set (Unix time in minutes, eight digits: it fits the attribute's eight
   characters). From then on pre-token denies every sign-in and every token refresh with
   PASSWORD_RESET_REQUIRED, whatever ON_VIOLATION says, until the flag is cleared by a reset by
   code (ConfirmForgotPassword), a password chosen at NEW_PASSWORD_REQUIRED, or an
   administrator's permanent AdminSetUserPassword made after the flag. ChangePassword (whoever
   holds the stolen password can call it) never clears it.
2. AdminUserGlobalSignOut revokes the refresh tokens already issued and the access tokens'
   use of Cognito's API (ChangePassword, UpdateUserAttributes): the sessions the attacker
   may already hold end now, not when their tokens expire. ID and access tokens a service
   checks by signature alone stay valid until they expire (one hour by default).

Reads POOL_ID, RESET_USER (the username, an alias or the sub) and FORCE_RESET_ATTRIBUTE from the
environment; credentials and region as boto3 reads them. Prints what it did; nothing secret.
"""

import os
import sys
import time

import boto3


def main() -> int:
    pool = os.environ.get("POOL_ID", "").strip()
    user = os.environ.get("RESET_USER", "").strip()
    attribute = os.environ.get("FORCE_RESET_ATTRIBUTE", "").strip() or "custom:force_password_reset"
    if not pool or not user:
        print("force-reset: POOL_ID and RESET_USER are required, e.g. "
              "make force-reset POOL_ID=us-east-1_AbC123 RESET_USER=jane@example.com", file=sys.stderr)
        return 2
    if not attribute.startswith("custom:"):
        print(f"force-reset: FORCE_RESET_ATTRIBUTE must be a custom: attribute, not {attribute!r}", file=sys.stderr)
        return 2
    idp = boto3.client("cognito-idp")
    minute = int(time.time()) // 60
    try:
        idp.admin_update_user_attributes(UserPoolId=pool, Username=user,
                                         UserAttributes=[{"Name": attribute, "Value": str(minute)}])
        print(f"force-reset: {attribute} set (since {time.strftime('%Y-%m-%dT%H:%M:00Z', time.gmtime(minute * 60))}): "
              "every sign-in and refresh is denied until the user resets by code")
        idp.admin_user_global_sign_out(UserPoolId=pool, Username=user)
        print("force-reset: signed out everywhere (AdminUserGlobalSignOut): refresh tokens revoked")
    except idp.exceptions.UserNotFoundException:
        print("force-reset: no such user in that pool; nothing changed", file=sys.stderr)
        return 1
    except Exception as e:  # the error names the API and Cognito's code, never a value we sent
        code = getattr(e, "response", {}).get("Error", {}).get("Code", type(e).__name__)
        print(f"force-reset: failed ({code}); if the flag was set, run it again to sign the user out", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
