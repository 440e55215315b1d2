// What both front doors (the CDK construct, the Amplify helper) deploy beside the user pool, in
// one place: the functions from the package's binaries, the delivery table and its hash key, the
// senders' grants, failure queue and alarms, the rule that records password changes, and the
// pool's side (pre token generation V2_0, the feature plan, the rule attributes kept out of every
// app client's writes). The CloudFormation template in infra/ deploys the same parts.

import { Annotations, Aspects, Duration, Lazy, Names, Reference, RemovalPolicy, Stack, Token, Tokenization, type IAspect } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnUserPool, CfnUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountRootPrincipal, AnyPrincipal, Effect, Policy, PolicyDocument, PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { CfnKey, Key, type IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Architecture as LambdaArchitecture, CfnFunction, Code, Function as LambdaFunctionResource, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';

import { bootstrapFolder, type Architecture } from './binaries.js';
import { OptionError, checkOptions, environment } from './environment.js';
import { FUNCTIONS, SETTINGS, type FunctionName, type Options } from './settings.js';

/** How the functions deploy: what is not a setting of the functions themselves. */
export interface Deployment {
  /** The functions' architecture (the package carries both). Default `arm64`. */
  readonly architecture?: Architecture;
  /** Memory of every function, in MB. Default: each function's size in the template (128 MB; user migration 1,024 MB). */
  readonly memorySize?: number;
  /**
   * Reserved concurrency of each sender: a ceiling on how fast a flood of sign-ups or resets can
   * spend SMS and email. Unset by default (the template's default is 50): a new AWS account's
   * concurrency limit of 10 cannot reserve any.
   */
  readonly senderConcurrency?: number;
  /** CloudWatch Logs retention of every function, in days (one of CloudWatch's values). Default 30. */
  readonly logRetentionDays?: number;
  /** SNS topic ARN the alarms notify. Default: none (the alarms still show in CloudWatch). */
  readonly alarmTopicArn?: string;
  /**
   * The SES identity ARN `emailFrom` is verified under. Default: the identities of its domain
   * and of the address itself, in the stack's account and region.
   */
  readonly sesIdentityArn?: string;
  /**
   * Record `ChangePassword` (Amplify's `updatePassword`) and a permanent `AdminSetUserPassword`
   * from CloudTrail through EventBridge (the account needs a trail with management events).
   * Default `true`: without it a user who changes their password keeps the old change time.
   */
  readonly recordPasswordChanges?: boolean;
  /**
   * User migration only: the VPC (and its subnets and security groups) the function runs in to
   * reach the legacy database or API. Default: no VPC (the store is reached over verified TLS).
   * The subnets need a route to Secrets Manager (a VPC endpoint or NAT).
   */
  readonly migrationVpc?: { readonly vpc: IVpc; readonly vpcSubnets?: SubnetSelection; readonly securityGroups?: ISecurityGroup[] };
  /**
   * User migration only: the ARN of the customer managed KMS key that encrypts the legacy store's
   * secret (`legacyDatabaseSecretArn` or `legacyUserEndpointTokenSecretArn`), when it is not
   * Secrets Manager's AWS managed key. The function may then decrypt with it through Secrets
   * Manager, for that secret only. Default: none (the AWS managed key needs no grant).
   */
  readonly legacySecretKmsKeyArn?: string;
}

/** A KMS key's ARN, as the template's `LegacySecretKmsKeyArn` takes it. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[0-9a-fA-F-]{36}$/;

/** The function that runs only with a legacy store (`legacyDatabaseSecretArn` or `legacyUserEndpoint`). */
export const USER_MIGRATION = 'user-migration' satisfies FunctionName;

/** Whether `options` name a legacy store: a database or the team's API. */
export function migrates(options: Options): boolean {
  return options.legacyDatabaseSecretArn !== undefined || options.legacyUserEndpoint !== undefined;
}

/** The Secrets Manager secret user migration reads: the database URL's or the API token's. */
export function migrationSecret(options: Options): string | undefined {
  return options.legacyDatabaseSecretArn ?? options.legacyUserEndpointTokenSecretArn;
}

/** The functions `options` deploy: every one, user migration only with a legacy store. */
export function deployed(options: Options): readonly FunctionName[] {
  return FUNCTIONS.filter((fn) => fn !== USER_MIGRATION || migrates(options));
}

/**
 * User migration's options taken together, as the function takes its variables: one store, a
 * database with its query, an API with its token and without a query.
 */
function checkMigration(options: Options): void {
  const refuse = (variable: string, problem: string) => new OptionError(variable, `configuration variable ${variable} ${problem}`);
  const database = options.legacyDatabaseSecretArn !== undefined;
  const endpoint = options.legacyUserEndpoint !== undefined;
  const query = options.legacyUserQuery !== undefined;
  const token = options.legacyUserEndpointTokenSecretArn !== undefined;
  if (database && endpoint) throw refuse('LEGACY_USER_ENDPOINT', 'and a legacy database are both set: set one store');
  if (database && !query) {
    throw refuse('LEGACY_USER_QUERY', `is required: ${SETTINGS.find((s) => s.variable === 'LEGACY_USER_QUERY')?.described}`);
  }
  if (endpoint && query) {
    throw refuse('LEGACY_USER_QUERY', 'is for the legacy database; LEGACY_USER_ENDPOINT answers with the user itself: unset it');
  }
  if (endpoint && !token) {
    throw refuse('LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN', 'is required with LEGACY_USER_ENDPOINT: the API\'s bearer token');
  }
  if (token && !endpoint) throw refuse('LEGACY_USER_ENDPOINT', 'is required with legacyUserEndpointTokenSecretArn: the API it is the token of');
  if (query && !database && !endpoint) {
    throw refuse('LEGACY_DATABASE_SECRET_ARN', 'is required with legacyUserQuery: where the legacy users are');
  }
}

/** The key of the legacy store's secret: a KMS key's ARN, and only beside a secret to decrypt. */
function checkSecretKey(options: Options, deployment: Deployment): void {
  const key = deployment.legacySecretKmsKeyArn;
  if (key === undefined) return;
  if (!KMS_KEY_ARN.test(key)) {
    throw new Error(`cognito-reset: legacySecretKmsKeyArn must be a KMS key's ARN (arn:aws:kms:<region>:<account>:key/<key id>), not ${JSON.stringify(key)}`);
  }
  if (migrationSecret(options) === undefined) {
    throw new Error('cognito-reset: legacySecretKmsKeyArn is the key of the legacy store\'s secret, and neither legacyDatabaseSecretArn nor legacyUserEndpointTokenSecretArn is set');
  }
}

/** Cognito's standard attributes an app client may write. */
const STANDARD_WRITABLE = [
  'address', 'birthdate', 'email', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name',
  'nickname', 'phone_number', 'picture', 'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
];

/** The values the deployment wires into the functions, once they exist. */
export interface Wired {
  KEY_ARN?: string;
  DELIVERY_TABLE?: string;
  DELIVERY_HASH_KEY?: string;
}

/**
 * Each function's memory, in MB: the template's `MemorySize`, which `make bench` chooses from its
 * curve (docs/src/benchmarks.md, "Memory sizes"; the npm test holds the two equal).
 */
const MEMORY_MB: Record<FunctionName, number> = {
  'custom-message': 128,
  'pre-token': 128,
  'post-confirmation': 128,
  'custom-sms-sender': 128,
  'custom-email-sender': 128,
  // A sign-in waits for the legacy hash check, whose time falls as memory (and CPU) grows
  // (docs/src/user-migration.md, "Memory and time").
  'user-migration': 1024,
};

const TIMEOUT_SECONDS: Record<FunctionName, number> = {
  'custom-message': 5,
  'pre-token': 5,
  'post-confirmation': 10,
  // The senders' budgets add up to 20 s (shared/src/domain/budgets.rs).
  'custom-sms-sender': 20,
  'custom-email-sender': 20,
  // Cognito waits 5 s for a synchronous trigger.
  'user-migration': 5,
};

const DESCRIPTION: Record<FunctionName, string> = {
  'custom-message': 'cognito-reset: Cognito custom message',
  'custom-sms-sender': 'cognito-reset: Cognito custom SMS sender',
  'custom-email-sender': 'cognito-reset: Cognito custom email sender',
  'pre-token': 'cognito-reset: Cognito pre token generation (password rules)',
  'post-confirmation': 'cognito-reset: Cognito post confirmation (records password changes)',
  'user-migration': 'cognito-reset: Cognito user migration from a legacy store (PostgreSQL or an HTTPS API)',
};

export const SENDERS: readonly FunctionName[] = ['custom-sms-sender', 'custom-email-sender'];

/** The two attributes the rules keep, as the options name them (or the functions' defaults). */
export function ruleAttributes(options: Options): { changedAt: string; forceReset: string } {
  return {
    changedAt: options.passwordChangedAttribute ?? 'custom:password_changed_at',
    forceReset: options.forceResetAttribute ?? 'custom:force_password_reset',
  };
}

/**
 * The options checked as a whole: every name is an option, every function's environment passes
 * its rules (a wired value stands in as an unresolved token), and the rule attributes differ;
 * then the deployment's key of the legacy store's secret. Throws an {@link OptionError} with the
 * functions' message, or an `Error` naming the deployment option.
 */
export function checkAll(options: Options, deployment: Deployment = {}): void {
  checkOptions(options);
  checkMigration(options);
  checkSecretKey(options, deployment);
  const pending = Lazy.string({ produce: () => '' });
  for (const fn of deployed(options)) {
    environment(fn, options, { KEY_ARN: pending, DELIVERY_TABLE: pending, DELIVERY_HASH_KEY: pending }, Token.isUnresolved);
  }
  const { changedAt, forceReset } = ruleAttributes(options);
  if (changedAt === forceReset) {
    // The functions' refusal of the second attribute (its rule says they must differ).
    const setting = SETTINGS.find((s) => s.variable === 'FORCE_RESET_ATTRIBUTE');
    throw new OptionError('FORCE_RESET_ATTRIBUTE', `configuration variable FORCE_RESET_ATTRIBUTE must be ${setting?.described}`);
  }
}

/**
 * One function from the package's binary, its environment from `options` and `wired` (a wired
 * value not known yet is produced at synthesis from `wired`, and a synthesis without it fails
 * with `missing`).
 */
export function newFunction(
  scope: Construct,
  id: string,
  fn: FunctionName,
  options: Options,
  deployment: Deployment,
  wired: Wired,
  missing: string,
): LambdaFunctionResource {
  const later = (name: keyof Wired) =>
    Lazy.string({
      produce: () => {
        const value = wired[name];
        if (value === undefined) throw new Error(missing);
        return value;
      },
    });
  const env = environment(
    fn,
    options,
    SENDERS.includes(fn)
      ? { KEY_ARN: later('KEY_ARN'), DELIVERY_TABLE: later('DELIVERY_TABLE'), DELIVERY_HASH_KEY: later('DELIVERY_HASH_KEY') }
      : {},
    Token.isUnresolved,
  );
  const architecture = deployment.architecture ?? 'arm64';
  // Each function writes to its own log group only (CDK's default role may write to any).
  const logGroup = new LogGroup(scope, `${id}-logs`, {
    retention: retention(deployment.logRetentionDays ?? 30),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  skip(logGroup.node.defaultChild as IConstruct, [
    ['CKV_AWS_158', 'The functions log no code, password, token or unmasked address or number (SECURITY.md); CloudWatch Logs encrypts every log group with its own key.'],
  ]);
  const role = new Role(scope, `${id}-role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `cognito-reset ${fn}: writes its own logs; its other grants are policies of their own`,
    inlinePolicies: {
      logs: new PolicyDocument({
        statements: [new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
      }),
    },
  });
  if (fn === USER_MIGRATION && deployment.migrationVpc) {
    // In a VPC Lambda attaches network interfaces under the function's role (CDK grants this
    // only to roles it makes itself): the actions of AWSLambdaVPCAccessExecutionRole but logs.
    role.addToPolicy(
      new PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
  }
  const lambda = new LambdaFunctionResource(scope, id, {
    description: DESCRIPTION[fn],
    runtime: Runtime.PROVIDED_AL2023,
    architecture: architecture === 'arm64' ? LambdaArchitecture.ARM_64 : LambdaArchitecture.X86_64,
    handler: 'bootstrap',
    code: Code.fromAsset(bootstrapFolder(fn, architecture)),
    memorySize: deployment.memorySize ?? MEMORY_MB[fn],
    ...(fn === USER_MIGRATION && deployment.migrationVpc ? deployment.migrationVpc : {}),
    timeout: Duration.seconds(TIMEOUT_SECONDS[fn]),
    environment: env,
    role,
    logGroup,
    ...(SENDERS.includes(fn) && deployment.senderConcurrency !== undefined
      ? { reservedConcurrentExecutions: deployment.senderConcurrency }
      : {}),
  });
  skip(lambda.node.defaultChild as CfnFunction, [
    ['CKV_AWS_117', 'The functions call only AWS APIs (Cognito, KMS, DynamoDB, SNS or End User Messaging, SES): a VPC would add NAT or endpoints and cold-start time for no protection gained.'],
    ['CKV_AWS_116', 'Cognito invokes these triggers synchronously (the senders asynchronously, with an on-failure SQS destination configured by cognito-reset), so a dead-letter queue would never receive anything.'],
    ['CKV_AWS_173', 'The environment holds configuration; the one secret, the delivery hash key, is a CloudFormation dynamic reference to Secrets Manager, resolved at deployment.'],
    ['CKV_AWS_115', 'Reserved concurrency is the `senderConcurrency` deployment option for the senders; on the synchronous triggers it would throttle sign-ins.'],
  ]);
  return lambda;
}

/** CloudWatch's retention for `days`, or an error naming the values it has. */
function retention(days: number): RetentionDays {
  const values = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0);
  if (!values.includes(days)) {
    throw new Error(`cognito-reset: logRetentionDays must be one of CloudWatch's retentions (${values.sort((a, b) => a - b).join(', ')}), not ${days}`);
  }
  return days as RetentionDays;
}

/** The five functions. */
export type Functions = Readonly<Record<Exclude<FunctionName, typeof USER_MIGRATION>, LambdaFunctionResource>> & {
  /** Deployed only with a legacy store (`legacyDatabaseSecretArn` or `legacyUserEndpoint`). */
  readonly 'user-migration'?: LambdaFunctionResource;
};

/** What {@link wire} needs of the user pool. */
export interface Pool {
  readonly cfn: CfnUserPool;
  /** The pool's id and ARN (tokens). */
  readonly id: string;
  readonly arn: string;
}

/** The delivery table, its hash key, the senders' failure queue: the parts {@link wire} made. */
export interface Wiring {
  readonly table: Table;
  readonly hashKey: Secret;
  readonly failures: Queue;
  readonly alarms: readonly Alarm[];
  readonly passwordChanges?: Rule;
}

/**
 * Everything around the functions, in `scope` (the pool's stack): fills `wired` (the senders'
 * key, table and hash key) and returns what it made.
 */
export function wire(
  scope: Construct,
  pool: Pool,
  functions: Functions,
  key: IKey,
  options: Options,
  deployment: Deployment,
  wired: Wired,
): Wiring {
  const { changedAt, forceReset } = ruleAttributes(options);
  requireAttributes(pool.cfn, [changedAt, forceReset]);

  // The delivery table: each code delivered once, per-recipient and per-pool limits.
  const table = new Table(scope, 'DeliveryTable', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: 'expires_at',
    encryption: TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  skip(table.node.defaultChild as IConstruct, [
    ['CKV_AWS_119', 'Encrypted with the AWS managed key for DynamoDB: the table holds hashes of ciphertexts, keyed hashes of recipients, states, counts and expiry times, nothing personal or secret.'],
    ['CKV_AWS_28', 'Records live at most 7 hours; a lost table only forgets recent counts and duplicates, which rebuild with use.'],
  ]);
  const hashKey = new Secret(scope, 'DeliveryHashKey', {
    description: 'HMAC-SHA256 key the senders hash recipients with in the delivery table, so that it never holds a phone number or address. Rotating it restarts every count.',
    generateSecretString: { passwordLength: 64, excludePunctuation: true },
  });
  skip(hashKey.node.defaultChild as IConstruct, [
    ['CKV_AWS_149', 'Encrypted with the AWS managed key for Secrets Manager: CloudFormation resolves it into the senders\' environment at deployment, so a customer managed key would protect no read path.'],
  ]);
  wired.KEY_ARN = key.keyArn;
  wired.DELIVERY_TABLE = table.tableName;
  wired.DELIVERY_HASH_KEY = hashKey.secretValue.unsafeUnwrap();

  const sms = functions['custom-sms-sender'];
  const email = functions['custom-email-sender'];
  const senderRoles = rolesOf(sms, email);

  // Grants that name the pool are policies of their own: the functions do not depend on them,
  // and the pool depends on the functions (its triggers), so no cycle forms.
  new Policy(scope, 'SendersDecryptCodes', {
    roles: senderRoles,
    statements: [
      new PolicyStatement({
        sid: 'DecryptCodesOfThisPoolOnly',
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:userpool-id': pool.id } },
      }),
    ],
  });
  for (const sender of [sms, email]) {
    sender.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], resources: [table.tableArn] }));
  }
  grantSms(sms, options);
  grantEmail(email, options, deployment);
  new Policy(scope, 'StampPasswordChanges', {
    roles: rolesOf(functions['post-confirmation'], functions['pre-token']),
    statements: [new PolicyStatement({ actions: ['cognito-idp:AdminUpdateUserAttributes'], resources: [pool.arn] })],
  });
  new Policy(scope, 'ReadUsersForCloudTrailChanges', {
    roles: rolesOf(functions['post-confirmation']),
    statements: [new PolicyStatement({ actions: ['cognito-idp:AdminGetUser'], resources: [pool.arn] })],
  });

  // Only the senders decrypt codes, whatever IAM grants (Amplify grants its senders the key
  // broadly): the template's CodeKey policy replaces the key's. A key imported by ARN keeps
  // its owner's policy.
  if (key instanceof Key) {
    (key.node.defaultChild as CfnKey).keyPolicy = codeKeyPolicy(scope, senderRoles);
  }

  // A message Lambda could not deliver after its retries: kept a day, encrypted, for a person.
  const failuresName = `cognito-reset-${Names.uniqueResourceName(scope, { maxLength: 50 })}-sender-failures`;
  const failuresArn = Stack.of(scope).formatArn({ service: 'sqs', resource: failuresName });
  const failuresKey = new Key(scope, 'SenderFailuresKey', {
    description: 'cognito-reset: encrypts the senders\' failure queue (raw Cognito events)',
    enableKeyRotation: true,
    // Deleted with the stack, as the template's (a sandbox torn down leaves no key behind).
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  // The whole policy, replacing CDK's (which lets IAM grant the account anything on the key).
  (failuresKey.node.defaultChild as CfnKey).keyPolicy = failuresKeyPolicy(scope, senderRoles, failuresArn);
  const failures = new Queue(scope, 'SenderFailures', {
    queueName: failuresName,
    retentionPeriod: Duration.days(1),
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: failuresKey,
    enforceSSL: true,
  });
  const senderArns = senderRoles.map((r) => r.roleArn);
  failures.addToResourcePolicy(
    new PolicyStatement({
      sid: 'OnlyTheSendersSend',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [failures.queueArn],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': senderArns } },
    }),
  );
  failures.addToResourcePolicy(
    new PolicyStatement({
      sid: 'OnlyThisAccount',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['sqs:*'],
      resources: [failures.queueArn],
      conditions: { StringNotEquals: { 'aws:PrincipalAccount': Stack.of(scope).account } },
    }),
  );
  // Lambda retries a failed sender twice within 5 minutes (a code hours late is useless), then
  // records the event in the queue.
  for (const sender of [sms, email]) {
    sender.configureAsyncInvoke({
      onFailure: new SqsDestination(failures),
      retryAttempts: 2,
      maxEventAge: Duration.minutes(5),
    });
  }

  const alarms = senderAlarms(scope, options, deployment);

  // Amplify wires pre token generation as V1_0 (or not at all); the rules need V2_0.
  pool.cfn.addPropertyDeletionOverride('LambdaConfig.PreTokenGeneration');
  pool.cfn.addPropertyOverride('LambdaConfig.PreTokenGenerationConfig', {
    LambdaArn: functions['pre-token'].functionArn,
    LambdaVersion: 'V2_0',
  });
  functions['pre-token'].addPermission('CognitoInvokes', {
    principal: new ServicePrincipal('cognito-idp.amazonaws.com'),
    sourceArn: pool.arn,
  });
  // Token customization (V2_0) needs the Essentials or Plus feature plan; checked again at
  // synthesis, after whatever else the app sets on the pool.
  pool.cfn.userPoolTier ??= 'ESSENTIALS';
  pool.cfn.node.addValidation({
    validate: () =>
      pool.cfn.userPoolTier === 'LITE'
        ? ['cognito-reset: pre token generation V2_0 needs the Essentials or Plus feature plan, and this pool is on Lite']
        : [],
  });

  // Every app client of the pool, in any stack of the app, whenever it was added.
  Aspects.of(pool.cfn.node.root).add(new KeepRuleAttributesFromClients(pool.cfn, [changedAt, forceReset]));

  const migration = functions[USER_MIGRATION];
  const secret = migrationSecret(options);
  if (migration && secret) {
    // It reads the database's URL or the API's token, and nothing else, from Secrets Manager at init.
    migration.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret] }));
    if (deployment.legacySecretKmsKeyArn) {
      // A secret under a customer managed key: decrypted through Secrets Manager, for it alone.
      migration.addToRolePolicy(
        new PolicyStatement({
          sid: 'DecryptTheStoreSecretOnly',
          actions: ['kms:Decrypt'],
          resources: [deployment.legacySecretKmsKeyArn],
          conditions: {
            StringEquals: {
              'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com`,
              'kms:EncryptionContext:SecretARN': secret,
            },
          },
        }),
      );
    }
    // Cognito migrates at sign-in only when it gets the password: USER_PASSWORD_AUTH.
    Aspects.of(pool.cfn.node.root).add(new AllowPasswordSignIn(pool.cfn));
  }

  const passwordChanges =
    deployment.recordPasswordChanges === false ? undefined : recordPasswordChanges(scope, pool, functions['post-confirmation']);
  return { table, hashKey, failures, alarms, ...(passwordChanges ? { passwordChanges } : {}) };
}

/** The execution roles of `functions` (each has one: {@link newFunction} makes it). */
function rolesOf(...functions: LambdaFunctionResource[]): IRole[] {
  return functions.map((f) => f.role).filter((r): r is IRole => r !== undefined);
}

/** SMS through SNS (phone numbers only, never a topic) or End User Messaging (the identity). */
function grantSms(sms: LambdaFunctionResource, options: Options): void {
  const stack = Stack.of(sms);
  const arn = (kind: string, id: string) => `arn:${stack.partition}:sms-voice:${stack.region}:${stack.account}:${kind}/${id}`;
  if ((options.smsBackend ?? 'sns') === 'sns') {
    const policy = new Policy(sms, 'SmsViaSns', {
      roles: sms.role ? [sms.role] : [],
      statements: [
        new PolicyStatement({ sid: 'SmsToPhoneNumbers', actions: ['sns:Publish'], resources: ['*'] }),
        new PolicyStatement({
          sid: 'NoTopicsOrEndpoints',
          effect: Effect.DENY,
          actions: ['sns:Publish'],
          resources: [`arn:${stack.partition}:sns:*:*:*`],
        }),
      ],
    });
    skip(policy.node.defaultChild as IConstruct, [
      ['CKV_AWS_111', 'SMS to a phone number has no resource ARN, so sns:Publish needs Resource "*"; publishing to any topic or endpoint ARN is explicitly denied in the same policy.'],
    ]);
    return;
  }
  const identity = options.smsOriginationIdentity;
  const resources = identity?.startsWith('arn:')
    ? [identity]
    : [arn('phone-number', '*'), arn('sender-id', '*'), arn('pool', '*')];
  const set = options.smsConfigurationSet;
  if (set) resources.push(set.startsWith('arn:') ? set : arn('configuration-set', set));
  const protect = options.smsProtectConfigurationId;
  if (protect) resources.push(protect.startsWith('arn:') ? protect : arn('protect-configuration', protect));
  sms.addToRolePolicy(new PolicyStatement({ sid: 'SendTextMessageFromTheIdentity', actions: ['sms-voice:SendTextMessage'], resources }));
}

/** SES: send from `emailFrom` only, through its identity (and the configuration set). */
function grantEmail(email: LambdaFunctionResource, options: Options, deployment: Deployment): void {
  const stack = Stack.of(email);
  const from = options.emailFrom?.trim() ?? '';
  const identity = (name: string) => `arn:${stack.partition}:ses:${stack.region}:${stack.account}:identity/${name}`;
  const resources = deployment.sesIdentityArn
    ? [deployment.sesIdentityArn]
    : [identity(from.slice(from.lastIndexOf('@') + 1)), identity(from)];
  if (options.sesConfigurationSet) {
    resources.push(`arn:${stack.partition}:ses:${stack.region}:${stack.account}:configuration-set/${options.sesConfigurationSet}`);
  }
  email.addToRolePolicy(
    new PolicyStatement({ actions: ['ses:SendEmail'], resources, conditions: { StringEquals: { 'ses:FromAddress': from } } }),
  );
}

/** The senders' outcome alarms (the template's): a failed delivery, and spikes of refusals and throttling. */
function senderAlarms(scope: Construct, options: Options, deployment: Deployment): Alarm[] {
  const namespace = options.metricsNamespace ?? 'CognitoReset';
  const action = deployment.alarmTopicArn ? new SnsAction(Topic.fromTopicArn(scope, 'AlarmTopic', deployment.alarmTopicArn)) : undefined;
  const alarms: Alarm[] = [];
  for (const [channel, service] of [['Sms', 'custom-sms-sender'], ['Email', 'custom-email-sender']] as const) {
    for (const [suffix, metric, threshold, what] of [
      ['FailedDeliveries', 'failed', 1, 'a message failed after Lambda\'s retries can still help; see the SenderFailures queue for those that ran out of retries.'],
      ['RejectedSpike', 'rejected', 10, '10 or more messages refused in 5 minutes (invalid or disallowed recipients, refused by the provider): a misconfiguration or an attack.'],
      ['ThrottledSpike', 'throttled', 20, '20 or more messages over the per-recipient or per-pool limits in 5 minutes: SMS pumping or mail bombing under way.'],
    ] as const) {
      const alarm = new Alarm(scope, `${channel}${suffix}`, {
        alarmDescription: `${service}: ${what}`,
        metric: new Metric({ namespace, metricName: metric, dimensionsMap: { service }, statistic: 'Sum', period: Duration.minutes(5) }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (action) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      alarms.push(alarm);
    }
  }
  return alarms;
}

/** ChangePassword and this pool's permanent AdminSetUserPassword, from CloudTrail, to post-confirmation. */
function recordPasswordChanges(scope: Construct, pool: Pool, postConfirmation: LambdaFunctionResource): Rule {
  return new Rule(scope, 'RecordPasswordChanges', {
    description: 'cognito-reset: password changes without a Cognito trigger (CloudTrail), for post-confirmation',
    eventPattern: {
      source: ['aws.cognito-idp'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['cognito-idp.amazonaws.com'],
        $or: [
          { eventName: ['AdminSetUserPassword'], requestParameters: { userPoolId: [pool.id] } },
          // ChangePassword records name no pool: post-confirmation finds the user by sub.
          { eventName: ['ChangePassword'] },
        ],
      },
    },
    targets: [
      new LambdaFunction(postConfirmation, {
        event: RuleTargetInput.fromObject({
          source: EventField.fromPath('$.source'),
          'detail-type': EventField.fromPath('$.detail-type'),
          detail: EventField.fromPath('$.detail'),
          userPoolId: pool.id,
        }),
        retryAttempts: 4,
        maxEventAge: Duration.hours(1),
      }),
    ],
  });
}

/** Fails unless the pool's schema defines each custom attribute (`custom:name`). */
function requireAttributes(pool: CfnUserPool, attributes: readonly string[]): void {
  const schema = Array.isArray(pool.schema) ? (pool.schema as CfnUserPool.SchemaAttributeProperty[]) : [];
  const defined = new Set(schema.map((a) => `custom:${a.name}`));
  const absent = attributes.filter((a) => !defined.has(a));
  if (absent.length > 0) {
    throw new Error(
      `cognito-reset: the user pool defines no ${absent.join(' or ')}: add ${absent.length > 1 ? 'them' : 'it'} to its custom attributes (String, mutable)`,
    );
  }
}

/** Every app client of the pool writes what it wrote before, or every attribute, but never the rule attributes. */
class KeepRuleAttributesFromClients implements IAspect {
  constructor(
    private readonly pool: CfnUserPool,
    private readonly kept: readonly string[],
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnUserPoolClient)) return;
    const pool = referencedResource(node.userPoolId);
    if (pool === undefined) {
      Annotations.of(node).addWarningV2(
        'cognito-reset:client-pool',
        'cognito-reset cannot tell which user pool this app client belongs to (its UserPoolId is no reference to a pool of this app); if it is the pool cognito-reset is attached to, leave custom:password_changed_at and custom:force_password_reset out of its WriteAttributes',
      );
      return;
    }
    if (pool !== this.pool) return;
    if (node.writeAttributes !== undefined && Token.isUnresolved(node.writeAttributes)) {
      Annotations.of(node).addError('cognito-reset: this app client\'s WriteAttributes are a token; write them as a list, without the rule attributes');
      return;
    }
    const schema = Array.isArray(this.pool.schema) ? (this.pool.schema as CfnUserPool.SchemaAttributeProperty[]) : [];
    const custom = schema.map((a) => a.name).filter((n): n is string => !!n && !STANDARD_WRITABLE.includes(n));
    const writes = (node.writeAttributes ?? [...STANDARD_WRITABLE, ...custom.map((n) => `custom:${n}`)]).filter(
      (a) => !this.kept.includes(a),
    );
    if (writes.length === 0) {
      // Cognito takes an empty list as "every attribute".
      Annotations.of(node).addError('cognito-reset: this app client would write no attribute but the rule attributes; give it at least one other, such as email');
      return;
    }
    node.writeAttributes = writes;
  }
}

/**
 * Every app client of the pool allows `USER_PASSWORD_AUTH` beside its other flows, which user
 * migration needs: with SRP Cognito never sees the password it would check.
 */
class AllowPasswordSignIn implements IAspect {
  constructor(private readonly pool: CfnUserPool) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnUserPoolClient) || referencedResource(node.userPoolId) !== this.pool) return;
    if (node.explicitAuthFlows !== undefined && Token.isUnresolved(node.explicitAuthFlows)) {
      Annotations.of(node).addError('cognito-reset: this app client\'s ExplicitAuthFlows are a token; write them as a list with ALLOW_USER_PASSWORD_AUTH (user migration needs it)');
      return;
    }
    // Unset, Cognito allows SRP, custom auth and refresh.
    const flows = node.explicitAuthFlows ?? ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
    if (!flows.includes('ALLOW_USER_PASSWORD_AUTH')) node.explicitAuthFlows = [...flows, 'ALLOW_USER_PASSWORD_AUTH'];
  }
}

/** The resource a token (a `Ref` or `Fn::GetAtt`) names, if it is one. */
function referencedResource(value: string): IConstruct | undefined {
  const token = Tokenization.reverseString(value).firstToken;
  return token instanceof Reference ? token.target : undefined;
}

/** The administrative actions of the account on a key: no cryptography, no grants. */
const KEY_ADMINISTRATION = [
  'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:ListKeyPolicies', 'kms:PutKeyPolicy', 'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:RotateKeyOnDemand', 'kms:ListKeyRotations', 'kms:EnableKey',
  'kms:DisableKey', 'kms:UpdateKeyDescription', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias',
  'kms:ListResourceTags', 'kms:TagResource', 'kms:UntagResource', 'kms:ListGrants', 'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
];

const ENCRYPT_ONLY_GRANTS = {
  'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'GenerateDataKey', 'DescribeKey', 'RetireGrant'] },
  Null: { 'kms:GrantOperations': 'false' },
};

/**
 * The template's CodeKey policy: the account administers the key; Cognito (of this account's
 * pools) encrypts and creates encrypt-only grants; only the senders' roles decrypt.
 */
function codeKeyPolicy(scope: Construct, senderRoles: readonly IRole[]): PolicyDocument {
  const stack = Stack.of(scope);
  const root = new AccountRootPrincipal();
  const cognito = new ServicePrincipal('cognito-idp.amazonaws.com');
  // Any pool of the account and region: the key exists before the pool, which names it.
  const fromThisAccount = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cognito-idp', resource: 'userpool', resourceName: '*' }) },
  };
  return new PolicyDocument({
    statements: [
      new PolicyStatement({ sid: 'AccountAdministers', principals: [root], actions: KEY_ADMINISTRATION, resources: ['*'] }),
      new PolicyStatement({
        sid: 'CognitoEncryptsCodes',
        principals: [cognito],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { ...fromThisAccount, ...ENCRYPT_ONLY_GRANTS },
      }),
      new PolicyStatement({ sid: 'CognitoEncryptsWithTheKey', principals: [cognito], actions: ['kms:Encrypt'], resources: ['*'], conditions: fromThisAccount }),
      new PolicyStatement({ sid: 'AccountGrantsEncryptOnly', principals: [root], actions: ['kms:CreateGrant'], resources: ['*'], conditions: ENCRYPT_ONLY_GRANTS }),
      new PolicyStatement({
        sid: 'OnlyTheSendersDecrypt',
        principals: [root],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { ArnEquals: { 'aws:PrincipalArn': senderRoles.map((r) => r.roleArn) } },
      }),
    ],
  });
}

/** The template's SenderFailuresKey policy: SQS uses it for the failure queue only. */
function failuresKeyPolicy(scope: Construct, senderRoles: readonly IRole[], queueArn: string): PolicyDocument {
  const stack = Stack.of(scope);
  const root = new AccountRootPrincipal();
  const viaSqs = { 'kms:ViaService': `sqs.${stack.region}.${stack.urlSuffix}`, 'kms:EncryptionContext:aws:sqs:arn': queueArn };
  return new PolicyDocument({
    statements: [
      new PolicyStatement({ sid: 'AccountAdministers', principals: [root], actions: KEY_ADMINISTRATION, resources: ['*'] }),
      new PolicyStatement({
        sid: 'SendersWriteFailureRecords',
        principals: [root],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { ArnEquals: { 'aws:PrincipalArn': senderRoles.map((r) => r.roleArn) }, StringEquals: viaSqs },
      }),
      new PolicyStatement({
        sid: 'AccountReadsFailureRecords',
        principals: [root],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { ...viaSqs, 'kms:CallerAccount': stack.account } },
      }),
    ],
  });
}

/** Checkov checks a resource skips, with the reason (as the template's Metadata does). */
function skip(resource: IConstruct, checks: ReadonlyArray<readonly [string, string]>): void {
  (resource as unknown as { addMetadata(key: string, value: unknown): void }).addMetadata('checkov', {
    skip: checks.map(([id, comment]) => ({ id, comment })),
  });
}
