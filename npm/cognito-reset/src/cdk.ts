// cognito-reset as a plain AWS CDK construct, for CDK apps without Amplify:
//
//   const key = new kms.Key(this, 'CodeKey', { enableKeyRotation: true });
//   const userPool = new cognito.UserPool(this, 'Users', {
//     customSenderKmsKey: key,
//     customAttributes: CognitoReset.customAttributes(options),
//   });
//   new CognitoReset(this, 'Reset', { userPool, customSenderKey: key, options });

import { Stack } from 'aws-cdk-lib';
import { UserPoolOperation, StringAttribute, type CfnUserPool, type UserPool } from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

import type { Options } from './settings.js';
import { USER_MIGRATION, checkAll, deployed, newFunction, ruleAttributes, wire, type Deployment, type Functions, type Wired, type Wiring } from './wiring.js';

export type { Deployment } from './wiring.js';

/** What {@link CognitoReset} takes. */
export interface CognitoResetProps {
  /** The pool, created with `customSenderKmsKey` and {@link CognitoReset.customAttributes}. */
  readonly userPool: UserPool;
  /**
   * The key given to the pool as `customSenderKmsKey`: Cognito encrypts codes under it. A key
   * made in this app gets the template's key policy (its own is replaced: only the senders
   * decrypt); one imported by ARN keeps its owner's.
   */
  readonly customSenderKey: IKey;
  /** The functions' options (checked under the functions' rules when the construct is made). */
  readonly options: Options;
  readonly deployment?: Deployment;
}

/**
 * The five functions wired into `userPool` as its custom message, custom SMS and email senders,
 * pre token generation (V2_0) and post confirmation triggers (and, with `legacyDatabaseSecretArn` or
 * `legacyUserEndpoint`, user migration, with `USER_PASSWORD_AUTH` allowed on its app clients), with the delivery table, the
 * senders' grants, failure queue and alarms, and the rule that records password changes.
 */
export class CognitoReset extends Construct {
  /** The custom attributes the password rules keep, for the pool's `customAttributes`. */
  static customAttributes(options: Options = {}): Record<string, StringAttribute> {
    const { changedAt, forceReset } = ruleAttributes(options);
    return Object.fromEntries(
      [changedAt, forceReset].map((a) => [a.replace(/^custom:/, ''), new StringAttribute({ mutable: true })]),
    );
  }

  readonly functions: Functions;
  readonly wiring: Wiring;

  constructor(scope: Construct, id: string, props: CognitoResetProps) {
    super(scope, id);
    const { userPool, customSenderKey, options } = props;
    const deployment = props.deployment ?? {};
    checkAll(options, deployment);
    if (Stack.of(this) !== Stack.of(userPool)) {
      // The pool names the functions and the functions' grants name the pool.
      throw new Error('cognito-reset: make CognitoReset in the stack of its user pool');
    }
    const cfnPool = userPool.node.defaultChild as CfnUserPool;
    this.node.addValidation({
      validate: () => {
        const stack = Stack.of(this);
        const config = stack.resolve(cfnPool.lambdaConfig) as { kmsKeyId?: unknown } | undefined;
        return JSON.stringify(config?.kmsKeyId) === JSON.stringify(stack.resolve(customSenderKey.keyArn))
          ? []
          : ['cognito-reset: customSenderKey is not the user pool\'s customSenderKmsKey: Cognito would encrypt codes under another key'];
      },
    });
    const wired: Wired = {};
    const made: Partial<Record<string, LambdaFunction>> = {};
    for (const fn of deployed(options)) {
      made[fn] = newFunction(this, fn, fn, options, deployment, wired, 'cognito-reset: the senders were never wired');
    }
    this.functions = made as Functions;

    userPool.addTrigger(UserPoolOperation.CUSTOM_MESSAGE, this.functions['custom-message']);
    userPool.addTrigger(UserPoolOperation.POST_CONFIRMATION, this.functions['post-confirmation']);
    userPool.addTrigger(UserPoolOperation.CUSTOM_SMS_SENDER, this.functions['custom-sms-sender']);
    userPool.addTrigger(UserPoolOperation.CUSTOM_EMAIL_SENDER, this.functions['custom-email-sender']);
    const migration = this.functions[USER_MIGRATION];
    if (migration) userPool.addTrigger(UserPoolOperation.USER_MIGRATION, migration);
    this.wiring = wire(
      this,
      { cfn: cfnPool, id: userPool.userPoolId, arn: userPool.userPoolArn },
      this.functions,
      customSenderKey,
      options,
      deployment,
      wired,
    );
  }
}
