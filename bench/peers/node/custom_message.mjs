// Peer for comparison: a Cognito custom message trigger written the way AWS's Node.js samples
// write them (template literals in the handler), filling the same three fields.
const APP_NAME = 'Contoso';

export const handler = async (event) => {
  const request = event.request ?? {};
  const code = request.codeParameter ?? '{####}';
  const name = request.userAttributes?.given_name ?? 'there';
  if (event.triggerSource === 'CustomMessage_ForgotPassword') {
    event.response = {
      emailSubject: `Reset your ${APP_NAME} password`,
      emailMessage: `<!DOCTYPE html><html><body>
<h1>Reset your password</h1>
<p>Hi ${name},</p>
<p>We received a request to reset the password of your ${APP_NAME} account. Enter this code to choose a new password.</p>
<p style="font-size:28px;font-weight:700">${code}</p>
<p>The code expires in one hour. If you did not ask for it, ignore this message.</p>
</body></html>`,
      smsMessage: `${APP_NAME}: your password reset code is ${code}. It expires in 1 hour.`,
    };
  }
  return event;
};
