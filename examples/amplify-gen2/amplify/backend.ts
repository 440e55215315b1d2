// Overrides Amplify does not expose in defineAuth: the password policy, pre token generation
// event version V2_0 (restrict mode needs it, and the Essentials plan), SES for email, the
// app client's write attributes, and the key ARN for the senders.
import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { customEmailSender, customMessage, customSmsSender, postConfirmation, preToken } from './functions/resource';

const backend = defineBackend({ auth, customMessage, preToken, postConfirmation, customSmsSender, customEmailSender });

const { cfnUserPool, cfnUserPoolClient } = backend.auth.resources.cfnResources;

// Minimum length 32, Amplify's other defaults kept.
cfnUserPool.policies = {
  passwordPolicy: {
    minimumLength: 32,
    requireLowercase: true,
    requireUppercase: true,
    requireNumbers: true,
    requireSymbols: false,
    temporaryPasswordValidityDays: 3,
  },
};

// Access token customization (V2_0) needs the Essentials (or Plus) feature plan.
cfnUserPool.userPoolTier = 'ESSENTIALS';
cfnUserPool.addPropertyOverride('LambdaConfig.PreTokenGenerationConfig', {
  LambdaArn: backend.preToken.resources.lambda.functionArn,
  LambdaVersion: 'V2_0',
});

// Cognito applies the custom message email body only when it sends through SES.
cfnUserPool.emailConfiguration = {
  emailSendingAccount: 'DEVELOPER',
  from: 'no-reply@example.com',
  sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com',
};

// The app may write profile attributes, never the password stamp.
cfnUserPoolClient.writeAttributes = ['email', 'given_name', 'family_name', 'locale'];

// The senders decrypt with the key Amplify created for them.
const keyArn = cfnUserPool.lambdaConfig && 'kmsKeyId' in cfnUserPool.lambdaConfig ? String(cfnUserPool.lambdaConfig.kmsKeyId) : '';
for (const sender of [backend.customSmsSender, backend.customEmailSender]) {
  sender.addEnvironment('KEY_ARN', keyArn);
}
