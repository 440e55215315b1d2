// Peer for comparison: a Cognito post confirmation trigger written the way the popular
// "password expiry" samples write it for Node.js: after a reset by code
// (PostConfirmation_ConfirmForgotPassword) it records the change time, and clears the
// forced-reset flag, with AdminUpdateUserAttributes.
import {
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

const cognito = new CognitoIdentityProviderClient({});

export const handler = async (event) => {
  if (event.triggerSource !== 'PostConfirmation_ConfirmForgotPassword') {
    return event;
  }
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const updates = [{ Name: 'custom:password_changed_at', Value: now }];
  if ('custom:force_password_reset' in event.request.userAttributes) {
    updates.push({ Name: 'custom:force_password_reset', Value: 'false' });
  }
  await cognito.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: event.userPoolId,
      Username: event.userName,
      UserAttributes: updates,
    }),
  );
  return event;
};
