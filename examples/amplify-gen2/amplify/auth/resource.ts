// The user pool: email sign-in, recovery by email only, and cognito-reset's functions, whose
// options are checked here, under the functions' own rules, before anything deploys.
import { defineAuth } from '@aws-amplify/backend';
import { cognitoReset } from 'cognito-reset/amplify';

export const reset = cognitoReset({
  appName: 'Contoso',
  resetUrl: 'https://app.example.com/reset-password',
  emailFrom: 'no-reply@example.com',
  smsAllowedCountries: ['US', 'CA'],
  passwordMaxAgeDays: 90,
  passwordWarnDays: 14,
  onViolation: 'restrict',
}, {
  // The package carries both; arm64 costs less per millisecond.
  architecture: 'arm64',
});

export const auth = defineAuth({
  loginWith: { email: true },
  // Amplify's default is the verified email (phone when phone is the only sign-in); set it
  // explicitly here.
  accountRecovery: 'EMAIL_ONLY',
  // The rule attributes, the senders and the custom message and post confirmation triggers.
  ...reset.auth,
});
