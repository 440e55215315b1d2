// The user pool: email sign-in, recovery by email only, and cognito-reset's functions, whose
// options are checked here, under the functions' own rules, before anything deploys.
import { defineAuth } from '@aws-amplify/backend';
import { cognitoReset } from 'cognito-reset/amplify';

// Users of the app's previous user database move into the pool at their first sign-in or
// password reset: set LEGACY_DATABASE_SECRET_ARN (a Secrets Manager secret holding the
// PostgreSQL URL, or RDS's JSON) when deploying. The query maps that database's columns to
// Cognito's attributes. Without it, no user migration is deployed. (A store reachable only
// through the team's own API takes legacyUserEndpoint and legacyUserEndpointTokenSecretArn
// in place of the two options below: docs/src/user-migration.md.)
const legacyDatabase = process.env.LEGACY_DATABASE_SECRET_ARN;
// When that secret is encrypted under a customer managed KMS key rather than Secrets Manager's
// AWS managed one, LEGACY_SECRET_KMS_KEY_ARN names the key: the function may decrypt with it,
// through Secrets Manager, for that secret only.
const legacySecretKey = process.env.LEGACY_SECRET_KMS_KEY_ARN;

export const reset = cognitoReset({
  ...(legacyDatabase
    ? {
        legacyDatabaseSecretArn: legacyDatabase,
        legacyUserQuery:
          'SELECT password AS password_hash, email, true AS email_verified, first_name AS given_name, last_name AS family_name FROM auth_user WHERE lower(email) = lower($1) AND is_active',
      }
    : {}),
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
  ...(legacySecretKey ? { legacySecretKmsKeyArn: legacySecretKey } : {}),
});

export const auth = defineAuth({
  loginWith: { email: true },
  // Amplify's default is the verified email (phone when phone is the only sign-in); set it
  // explicitly here.
  accountRecovery: 'EMAIL_ONLY',
  // The rule attributes, the senders and the custom message and post confirmation triggers.
  ...reset.auth,
});
