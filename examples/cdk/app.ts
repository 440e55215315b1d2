// A plain AWS CDK app (no Amplify) with cognito-reset's functions on its user pool. Synthesize
// it with `CDK_OUTDIR=cdk.out npx tsx app.ts` (or `cdk synth --app 'npx tsx app.ts'`).
import { App, Stack } from 'aws-cdk-lib';
import { AccountRecovery, UserPool } from 'aws-cdk-lib/aws-cognito';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CognitoReset } from 'cognito-reset/cdk';

const options = {
  appName: 'Contoso',
  resetUrl: 'https://app.example.com/reset-password',
  emailFrom: 'no-reply@example.com',
  smsAllowedCountries: ['US', 'CA'],
  passwordMaxAgeDays: 90,
} as const;

const app = new App();
const stack = new Stack(app, 'CognitoResetExample', { env: { region: 'us-east-1' } });
// Cognito encrypts the codes it hands the senders under this key.
const customSenderKey = new Key(stack, 'CodeKey', { enableKeyRotation: true });
const userPool = new UserPool(stack, 'Users', {
  signInAliases: { email: true },
  accountRecovery: AccountRecovery.EMAIL_ONLY,
  passwordPolicy: { minLength: 32 },
  customSenderKmsKey: customSenderKey,
  // The two attributes the password rules keep.
  customAttributes: CognitoReset.customAttributes(options),
});
userPool.addClient('Web');
new CognitoReset(stack, 'Reset', {
  userPool,
  customSenderKey,
  options,
  deployment: { architecture: 'arm64' },
});
app.synth();
