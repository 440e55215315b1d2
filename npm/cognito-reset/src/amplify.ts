// cognito-reset for Amplify Gen 2 backends:
//
//   // amplify/auth/resource.ts
//   export const reset = cognitoReset({ appName: 'Contoso', resetUrl: 'https://app.example.com/reset',
//     emailFrom: 'no-reply@example.com', passwordMaxAgeDays: 90, smsAllowedCountries: ['US', 'CA'] });
//   export const auth = defineAuth({ loginWith: { email: true }, accountRecovery: 'EMAIL_ONLY', ...reset.auth });
//   // amplify/backend.ts
//   const backend = defineBackend({ auth, ...reset.functions });
//   reset.attach(backend);

import { defineFunction } from '@aws-amplify/backend';
import { Stack } from 'aws-cdk-lib';
import type { CfnUserPool, IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';

import type { FunctionName, Options } from './settings.js';
import { USER_MIGRATION, checkAll, deployed, newFunction, ruleAttributes, wire, type Deployment, type Functions, type Wired, type Wiring } from './wiring.js';

export type { Deployment } from './wiring.js';

type AmplifyFunction = ReturnType<typeof defineFunction>;

/** The backend keys of the functions, for `defineBackend({ auth, ...reset.functions })`. */
export const BACKEND_KEYS = {
  'custom-message': 'cognitoResetCustomMessage',
  'custom-sms-sender': 'cognitoResetCustomSmsSender',
  'custom-email-sender': 'cognitoResetCustomEmailSender',
  'pre-token': 'cognitoResetPreToken',
  'post-confirmation': 'cognitoResetPostConfirmation',
  'user-migration': 'cognitoResetUserMigration',
} as const satisfies Record<FunctionName, string>;

type BackendKey = (typeof BACKEND_KEYS)[FunctionName];

/** What `attach` needs of the backend `defineBackend` returned. */
export interface AmplifyBackend {
  readonly auth: {
    readonly resources: {
      readonly userPool: IUserPool;
      readonly cfnResources: { readonly cfnUserPool: CfnUserPool };
    };
    readonly stack: Stack;
  };
}

/** What {@link cognitoReset} gives an Amplify backend. */
export interface AmplifyReset {
  /**
   * Spread into `defineBackend`: the five functions, and user migration with
   * `legacyDatabaseSecretArn` or `legacyUserEndpoint`.
   */
  readonly functions: Readonly<Partial<Record<BackendKey, AmplifyFunction>>>;
  /**
   * Spread into `defineAuth`: the rule attributes, the senders (Amplify makes the key Cognito
   * encrypts codes under) and the custom message and post confirmation triggers. Pre token
   * generation is wired by `attach`, as V2_0. Define your own `userAttributes` or `triggers`
   * beside these by merging, e.g. `userAttributes: { ...reset.auth.userAttributes, ...yours }`.
   */
  readonly auth: {
    readonly userAttributes: Record<string, { readonly dataType: 'String'; readonly mutable: true }>;
    readonly senders: { readonly email: { readonly handler: AmplifyFunction }; readonly sms: { readonly handler: AmplifyFunction } };
    readonly triggers: {
      readonly customMessage: AmplifyFunction;
      readonly postConfirmation: AmplifyFunction;
      /** With `legacyDatabaseSecretArn` or `legacyUserEndpoint`: users not yet in the pool move from the legacy store. */
      readonly userMigration?: AmplifyFunction;
    };
  };
  /**
   * After `defineBackend`: pre token generation V2_0 (on the Essentials plan unless the pool
   * names one), the senders' key, table and hash key, the rule attributes kept out of every app
   * client's writes, the grants, the failure queue, the alarms, and the rule that records
   * `updatePassword` (ChangePassword). Synthesis fails if this is never called.
   */
  attach(backend: AmplifyBackend): Wiring;
}

/**
 * cognito-reset's functions for an Amplify Gen 2 backend, from the functions' `options` (each
 * checked now, under the functions' own rules: an invalid one throws an `OptionError` with the
 * functions' message) and how to deploy them.
 */
export function cognitoReset(options: Options, deployment: Deployment = {}): AmplifyReset {
  checkAll(options, deployment);
  const wired: Wired = {};
  const made: Partial<Record<FunctionName, LambdaFunction>> = {};
  const forgotten = 'cognito-reset: call reset.attach(backend) after defineBackend in amplify/backend.ts (the senders need their key and table)';
  const functions = Object.fromEntries(
    deployed(options).map((fn) => [
      BACKEND_KEYS[fn],
      defineFunction(
        (scope) => {
          const lambda = newFunction(scope, fn, fn, options, deployment, wired, forgotten);
          made[fn] = lambda;
          return lambda;
        },
        // Functions the user pool invokes live in the auth stack.
        { resourceGroupName: 'auth' },
      ),
    ]),
  ) as Record<Exclude<BackendKey, 'cognitoResetUserMigration'>, AmplifyFunction> & { cognitoResetUserMigration?: AmplifyFunction };

  const { changedAt, forceReset } = ruleAttributes(options);
  let attached = false;
  return {
    functions,
    auth: {
      userAttributes: {
        [changedAt]: { dataType: 'String', mutable: true },
        [forceReset]: { dataType: 'String', mutable: true },
      },
      senders: {
        email: { handler: functions.cognitoResetCustomEmailSender },
        sms: { handler: functions.cognitoResetCustomSmsSender },
      },
      triggers: {
        customMessage: functions.cognitoResetCustomMessage,
        postConfirmation: functions.cognitoResetPostConfirmation,
        ...(functions.cognitoResetUserMigration ? { userMigration: functions.cognitoResetUserMigration } : {}),
      },
    },
    attach(backend) {
      if (attached) throw new Error('cognito-reset: attach(backend) was called twice');
      const absent = deployed(options).filter((fn) => !made[fn]);
      if (absent.length > 0) {
        throw new Error(`cognito-reset: defineBackend has no ${absent.map((fn) => BACKEND_KEYS[fn]).join(', ')}: pass ...reset.functions to it`);
      }
      const { stack, resources } = backend.auth;
      // Amplify makes the key for `senders` and does not expose it: find it in the auth stack.
      const keys = stack.node.findAll().filter((c): c is Key => c instanceof Key && c.node.id.endsWith('CustomSenderKey'));
      const [key] = keys;
      if (keys.length !== 1 || !key) {
        throw new Error('cognito-reset: the auth stack has no CustomSenderKey: defineAuth needs ...reset.auth (its senders)');
      }
      attached = true;
      // Triggers defineAuth got from `...reset.auth`, unless something after it replaced them.
      const cfnPool = resources.cfnResources.cfnUserPool;
      cfnPool.node.addValidation({ validate: () => triggersInPlace(Stack.of(cfnPool), cfnPool, made as Functions) });
      return wire(
        // What cognito-reset adds beside the functions, under one construct of the auth stack.
        new Construct(stack, 'CognitoReset'),
        { cfn: resources.cfnResources.cfnUserPool, id: resources.userPool.userPoolId, arn: resources.userPool.userPoolArn },
        made as Functions,
        key,
        options,
        deployment,
        wired,
      );
    },
  };
}

/** The pool's triggers that are not cognito-reset's functions, as synthesis errors. */
function triggersInPlace(stack: Stack, pool: CfnUserPool, functions: Functions): string[] {
  const config = (stack.resolve(pool.lambdaConfig) ?? {}) as Record<string, unknown>;
  const expected: Array<readonly [string, FunctionName, boolean]> = [
    ['customMessage', 'custom-message', false],
    ['postConfirmation', 'post-confirmation', false],
    ['customSmsSender', 'custom-sms-sender', true],
    ['customEmailSender', 'custom-email-sender', true],
  ];
  if (functions[USER_MIGRATION]) expected.push(['userMigration', USER_MIGRATION, false]);
  return expected
    .filter(([key, fn, sender]) => {
      const wired = config[key];
      const arn = sender ? (wired as { lambdaArn?: unknown } | undefined)?.lambdaArn : wired;
      return JSON.stringify(arn) !== JSON.stringify(stack.resolve(functions[fn]?.functionArn));
    })
    .map(
      ([key, fn]) =>
        `cognito-reset: the pool's ${key} trigger is not cognito-reset's ${fn}: spread ...reset.auth into defineAuth and merge your own triggers and senders into it`,
    );
}
