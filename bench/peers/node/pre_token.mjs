// Peer for comparison: a Cognito pre token generation trigger (event version 2) written the way
// the popular "password expiry" samples write it for Node.js: read the change time from a custom
// attribute, deny the sign-in by throwing when the password is too old or a reset is forced, and
// otherwise add the change and expiry times to the ID token. After a NEW_PASSWORD_REQUIRED
// challenge it records the new password with AdminUpdateUserAttributes.
import {
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

const DAY = 24 * 60 * 60 * 1000;
const MAX_AGE = Number(process.env.PASSWORD_MAX_AGE_DAYS ?? 90) * DAY;
const cognito = new CognitoIdentityProviderClient({});

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const handler = async (event) => {
  const attributes = event.request.userAttributes ?? {};
  const identities = attributes.identities;
  if ((identities && identities !== '[]') || attributes['cognito:user_status'] === 'EXTERNAL_PROVIDER') {
    return event;
  }
  const now = Math.floor(Date.now() / 1000) * 1000;
  let changedAt;
  if (event.triggerSource === 'TokenGeneration_NewPasswordChallenge') {
    const updates = [{ Name: 'custom:password_changed_at', Value: iso(now) }];
    if ('custom:force_password_reset' in attributes) {
      updates.push({ Name: 'custom:force_password_reset', Value: 'false' });
    }
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: event.userPoolId,
        Username: event.userName,
        UserAttributes: updates,
      }),
    );
    changedAt = now;
  } else {
    if (attributes['custom:force_password_reset'] === 'true') {
      throw new Error('Password reset required');
    }
    const stamp = attributes['custom:password_changed_at'];
    if (!stamp) return event;
    changedAt = Date.parse(stamp);
    if (now - changedAt > MAX_AGE) {
      throw new Error('Password expired: reset your password');
    }
  }
  event.response.claimsAndScopeOverrideDetails = {
    idTokenGeneration: {
      claimsToAddOrOverride: {
        password_changed_at: iso(changedAt),
        password_expires_at: iso(changedAt + MAX_AGE),
      },
    },
  };
  return event;
};
