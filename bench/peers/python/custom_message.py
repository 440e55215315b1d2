"""Peer for comparison: a Cognito custom message trigger written the way AWS's Python samples
write them (string formatting in the handler), filling the same three fields."""

APP_NAME = "Contoso"

HTML = """<!DOCTYPE html><html><body>
<h1>Reset your password</h1>
<p>Hi {name},</p>
<p>We received a request to reset the password of your {app} account. Enter this code to choose a new password.</p>
<p style="font-size:28px;font-weight:700">{code}</p>
<p>The code expires in one hour. If you did not ask for it, ignore this message.</p>
</body></html>"""


def handler(event, context):
    request = event.get("request") or {}
    code = request.get("codeParameter") or "{####}"
    attributes = request.get("userAttributes") or {}
    if event.get("triggerSource") == "CustomMessage_ForgotPassword":
        name = attributes.get("given_name", "there")
        event["response"] = {
            "emailSubject": f"Reset your {APP_NAME} password",
            "emailMessage": HTML.format(name=name, app=APP_NAME, code=code),
            "smsMessage": f"{APP_NAME}: your password reset code is {code}. It expires in 1 hour.",
        }
    return event
