// Overrides Amplify does not expose in defineAuth: the password policy, pre token generation
// event version V2_0 (restrict mode needs it, and the Essentials plan), SES for email, the
// app client's write attributes, and the key ARN for the senders.
import { defineBackend } from '@aws-amplify/backend';
import { Duration, Stack } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
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

// The senders decrypt with the key Amplify created for them (`senders` in defineAuth). Amplify
// does not expose it, and `cfnUserPool.lambdaConfig` is resolved only at synthesis, so find the
// key in the construct tree; without it every delivery would fail at start-up.
const senderKey = backend.auth.stack.node
  .findAll()
  .find((c): c is Key => c instanceof Key && c.node.id.endsWith('CustomSenderKey'));
if (!senderKey) {
  throw new Error('no CustomSenderKey in the auth stack: defineAuth needs `senders` with both handlers');
}
for (const sender of [backend.customSmsSender, backend.customEmailSender]) {
  sender.addEnvironment('KEY_ARN', senderKey.keyArn);
}

// Password changes fire no Cognito trigger: CloudTrail reports them to EventBridge (the account
// needs a trail with management events). Record them as the template's PasswordChangeRule does,
// so that `updatePassword` (ChangePassword) and an administrator's permanent
// AdminSetUserPassword are stamped; without it a user who runs `updatePassword` stays restricted.
const userPool = backend.auth.resources.userPool;
new Rule(Stack.of(userPool), 'RecordPasswordChanges', {
  description: 'Password changes without a Cognito trigger (CloudTrail), for post-confirmation',
  eventPattern: {
    source: ['aws.cognito-idp'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['cognito-idp.amazonaws.com'],
      $or: [
        { eventName: ['AdminSetUserPassword'], requestParameters: { userPoolId: [userPool.userPoolId] } },
        // ChangePassword records name no pool: post-confirmation finds the user by sub.
        { eventName: ['ChangePassword'] },
      ],
    },
  },
  targets: [
    new LambdaFunction(backend.postConfirmation.resources.lambda, {
      event: RuleTargetInput.fromObject({
        source: EventField.fromPath('$.source'),
        'detail-type': EventField.fromPath('$.detail-type'),
        detail: EventField.fromPath('$.detail'),
        userPoolId: userPool.userPoolId,
      }),
      retryAttempts: 4,
      maxEventAge: Duration.hours(1),
    }),
  ],
});
