// The user pool: email sign-in, recovery by email only, and the Rust triggers.
import { defineAuth } from '@aws-amplify/backend';
import {
  customEmailSender,
  customMessage,
  customSmsSender,
  postConfirmation,
  preToken,
} from '../functions/resource';

export const auth = defineAuth({
  loginWith: { email: true },
  // Amplify's default is the verified email (phone when phone is the only sign-in); set it
  // explicitly here.
  accountRecovery: 'EMAIL_ONLY',
  userAttributes: {
    // Written by post-confirmation and pre-token, read by pre-token. Keep them out of the app client's
    // write attributes (backend.ts), or users could postpone their own expiry.
    'custom:password_changed_at': { dataType: 'String', mutable: true },
    'custom:force_password_reset': { dataType: 'String', mutable: true },
  },
  senders: {
    // Cognito encrypts each code with a KMS key Amplify creates and invokes the senders.
    email: { handler: customEmailSender },
    sms: { handler: customSmsSender },
  },
  triggers: {
    customMessage,
    postConfirmation,
    // Amplify wires pre token generation as event version V1_0; backend.ts moves it to V2_0.
    preTokenGeneration: preToken,
  },
  // Both record password changes: post-confirmation after a confirmed reset or sign-up and
  // from CloudTrail (reading the user first: getUser), pre-token when a temporary password is
  // replaced (NEW_PASSWORD_REQUIRED).
  access: (allow) => [
    allow.resource(postConfirmation).to(['updateUserAttributes', 'getUser']),
    allow.resource(preToken).to(['updateUserAttributes']),
  ],
});
