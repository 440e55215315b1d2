// Synthesizes this Amplify backend offline, as `ampx sandbox` would (the CDK context of a
// sandbox, no AWS account), and checks what the user pool gets from cognito-reset:
//
//   node check-synth.mjs <cdk.out folder>
//
// Writes the cloud assembly to the folder, then `cognito-reset-functions.json` beside it: each
// function's logical id, architecture and asset folder (its `bootstrap`), for the checks that run
// the binaries. Run by the workspace test (tests/it/npm_package.rs) in a copy of this folder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, openSync, readSync, closeSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FUNCTIONS = ['custom-message', 'custom-sms-sender', 'custom-email-sender', 'pre-token', 'post-confirmation', 'user-migration'];
// Synthesized with user migration on (amplify/auth/resource.ts reads the ARN from the environment).
const LEGACY_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-users-db-AbCdEf';
// Encrypted under a customer managed key, which the function then may decrypt with for it.
const LEGACY_SECRET_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const RULE_ATTRIBUTES = ['custom:password_changed_at', 'custom:force_password_reset'];

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? fail('usage: node check-synth.mjs <cdk.out folder>'));
execFileSync(join(here, 'node_modules/.bin/tsx'), ['amplify/backend.ts'], {
  cwd: here,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    LEGACY_DATABASE_SECRET_ARN: LEGACY_SECRET,
    LEGACY_SECRET_KMS_KEY_ARN: LEGACY_SECRET_KEY,
    CDK_OUTDIR: out,
    CDK_CONTEXT_JSON: JSON.stringify({
      'amplify-backend-namespace': 'example',
      'amplify-backend-name': 'check',
      'amplify-backend-type': 'sandbox',
      // As the CDK CLI under `ampx` synthesizes: each resource names its construct path.
      'aws:cdk:enable-path-metadata': true,
    }),
  },
});
const functions = check(readTemplates(out));
writeFileSync(join(out, 'cognito-reset-functions.json'), `${JSON.stringify(functions, null, 2)}\n`);
console.log(
  `amplify-gen2: synthesized; ${Object.keys(functions).length} functions from the package's binaries, ` +
    'the key, triggers, table, grants and password-change rule in place',
);

function fail(message) {
  console.error(message);
  process.exit(2);
}

function readTemplates(dir) {
  const resources = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.template.json'))) {
    Object.assign(resources, JSON.parse(readFileSync(join(dir, file), 'utf8')).Resources ?? {});
  }
  return resources;
}

/** The one resource of `type` whose logical id starts with `prefix`, as [id, properties]. */
function one(resources, type, prefix = '') {
  const found = Object.entries(resources).filter(([id, r]) => r.Type === type && id.startsWith(prefix));
  assert.equal(found.length, 1, `expected one ${type} ${prefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return [found[0][0], found[0][1].Properties];
}

function arnOf(id) {
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The architecture an ELF binary is built for. */
function elfArchitecture(path) {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  assert.equal(header.subarray(0, 4).toString('latin1'), '\x7fELF', `${path} is an ELF binary`);
  return { 0xb7: 'arm64', 0x3e: 'x86_64' }[header.readUInt16LE(18)] ?? 'unknown';
}

function check(resources) {
  const [poolId, pool] = one(resources, 'AWS::Cognito::UserPool');
  const [keyId] = one(resources, 'AWS::KMS::Key', 'CustomSenderKey');
  const [tableId] = one(resources, 'AWS::DynamoDB::Table', 'CognitoResetDeliveryTable');
  const [secretId] = one(resources, 'AWS::SecretsManager::Secret', 'CognitoResetDeliveryHashKey');

  // Every function from the package: provided.al2023, the architecture of the binary it ships.
  const functions = {};
  for (const fn of FUNCTIONS) {
    const [id, props] = one(resources, 'AWS::Lambda::Function', fn.replaceAll('-', ''));
    assert.equal(props.Runtime, 'provided.al2023', `${fn} runs on provided.al2023`);
    assert.equal(props.Handler, 'bootstrap');
    const asset = join(out, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`);
    const bootstrap = join(asset, 'bootstrap');
    assert.ok(existsSync(bootstrap), `${fn}'s asset holds its bootstrap (${asset})`);
    const architecture = elfArchitecture(bootstrap);
    assert.deepEqual(props.Architectures, [architecture], `${fn} is deployed for the architecture its binary is built for`);
    functions[fn] = {
      logicalId: id,
      architecture,
      asset,
      environment: props.Environment?.Variables ?? {},
      memorySize: props.MemorySize,
      timeout: props.Timeout,
    };
  }
  const fnId = (fn) => functions[fn].logicalId;

  // The senders: V1_0 with the pool's key, which their KEY_ARN names; the table and its hash key.
  assert.deepEqual(pool.LambdaConfig.KMSKeyID, arnOf(keyId), 'the pool encrypts codes under the senders key');
  for (const [fn, trigger] of [['custom-sms-sender', 'CustomSMSSender'], ['custom-email-sender', 'CustomEmailSender']]) {
    assert.deepEqual(pool.LambdaConfig[trigger], { LambdaArn: arnOf(fnId(fn)), LambdaVersion: 'V1_0' });
    const env = functions[fn].environment;
    assert.deepEqual(env.KEY_ARN, arnOf(keyId), `${fn} KEY_ARN is the pool's key`);
    assert.deepEqual(env.DELIVERY_TABLE, { Ref: tableId }, `${fn} claims deliveries in the table`);
    assert.ok(JSON.stringify(env.DELIVERY_HASH_KEY).includes(`{{resolve:secretsmanager:`), `${fn} hash key is a dynamic reference`);
    assert.ok(JSON.stringify(env.DELIVERY_HASH_KEY).includes(secretId), `${fn} hash key is the stack's secret`);
  }
  assert.equal(functions['custom-sms-sender'].environment.SMS_ALLOWED_COUNTRIES, 'US,CA');

  // A sender Lambda could not run is retried twice within 5 minutes, then recorded in the queue.
  const [queueId] = one(resources, 'AWS::SQS::Queue', 'CognitoResetSenderFailures');
  for (const fn of ['custom-sms-sender', 'custom-email-sender']) {
    const configs = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && same(r.Properties.FunctionName, { Ref: fnId(fn) }),
    );
    assert.equal(configs.length, 1, `${fn} has its asynchronous invocation settings`);
    const config = configs[0].Properties;
    assert.deepEqual(config.DestinationConfig.OnFailure.Destination, arnOf(queueId), `${fn} records failures in the queue`);
    assert.equal(config.MaximumRetryAttempts, 2);
    assert.equal(config.MaximumEventAgeInSeconds, 300);
    assert.ok(allowed(resources, fnId(fn)).includes('sqs:SendMessage'), `${fn} may send to the queue`);
  }

  // Pre token generation V2_0 (restrict mode needs it) on a plan that has it; the other triggers.
  assert.deepEqual(pool.LambdaConfig.PreTokenGenerationConfig, { LambdaArn: arnOf(fnId('pre-token')), LambdaVersion: 'V2_0' });
  assert.equal(pool.LambdaConfig.PreTokenGeneration, undefined, 'no V1_0 pre token generation beside V2_0');
  assert.ok(['ESSENTIALS', 'PLUS'].includes(pool.UserPoolTier), 'the pool is on a plan with V2_0 events');
  assert.deepEqual(pool.LambdaConfig.CustomMessage, arnOf(fnId('custom-message')));
  assert.deepEqual(pool.LambdaConfig.PostConfirmation, arnOf(fnId('post-confirmation')));
  for (const fn of FUNCTIONS) {
    const cognito = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        r.Properties.Principal === 'cognito-idp.amazonaws.com' &&
        same(r.Properties.FunctionName, arnOf(fnId(fn))) &&
        same(r.Properties.SourceArn, arnOf(poolId)),
    );
    assert.equal(cognito.length, 1, `the pool may invoke ${fn}`);
  }

  // User migration: the trigger, the secret it reads and nothing else of Secrets Manager, a sign-in
  // that hands Cognito the password (USER_PASSWORD_AUTH), and the memory a hash check needs.
  assert.deepEqual(pool.LambdaConfig.UserMigration, arnOf(fnId('user-migration')));
  const migration = functions['user-migration'];
  assert.equal(migration.environment.LEGACY_DATABASE_SECRET_ARN, LEGACY_SECRET);
  assert.match(migration.environment.LEGACY_USER_QUERY, /\$1/);
  const migrationStatements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref) => ref.Ref === resources[fnId('user-migration')].Properties.Role['Fn::GetAtt'][0]))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  const secretReads = migrationStatements.filter((st) => [st.Action].flat().some((a) => a.startsWith('secretsmanager:')));
  assert.deepEqual(secretReads.map((st) => [st.Action, st.Resource]), [['secretsmanager:GetSecretValue', LEGACY_SECRET]], 'user-migration reads its secret only');
  // Its key: Decrypt through Secrets Manager, for that secret alone.
  const decrypts = migrationStatements.filter((st) => [st.Action].flat().some((a) => a.startsWith('kms:')));
  assert.deepEqual(
    decrypts.map((st) => [st.Action, st.Resource, st.Condition]),
    [['kms:Decrypt', LEGACY_SECRET_KEY, {
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        'kms:EncryptionContext:SecretARN': LEGACY_SECRET,
      },
    }]],
    'user-migration decrypts with the secret\'s key, through Secrets Manager, for that secret only',
  );

  // The rule attributes: in the schema, never written by an app client.
  const schema = new Set(pool.Schema.map((a) => `custom:${a.Name}`));
  for (const attribute of RULE_ATTRIBUTES) assert.ok(schema.has(attribute), `the pool defines ${attribute}`);
  const [, client] = one(resources, 'AWS::Cognito::UserPoolClient');
  assert.ok(Array.isArray(client.WriteAttributes) && client.WriteAttributes.includes('email'), 'the app client writes profile attributes');
  for (const attribute of RULE_ATTRIBUTES) {
    assert.ok(!client.WriteAttributes.includes(attribute), `the app client may not write ${attribute}`);
  }
  assert.ok(client.ExplicitAuthFlows.includes('ALLOW_USER_PASSWORD_AUTH'), 'the app client lets a sign-in hand Cognito the password, which migration checks');
  assert.ok(client.ExplicitAuthFlows.includes('ALLOW_USER_SRP_AUTH'), 'and keeps SRP');

  // updatePassword (ChangePassword) and a permanent AdminSetUserPassword reach post-confirmation.
  const [ruleId, rule] = one(resources, 'AWS::Events::Rule', 'CognitoResetRecordPasswordChanges');
  const names = rule.EventPattern.detail.$or.flatMap((alternative) => alternative.eventName);
  assert.deepEqual(names.sort(), ['AdminSetUserPassword', 'ChangePassword']);
  const admin = rule.EventPattern.detail.$or.find((alternative) => alternative.eventName.includes('AdminSetUserPassword'));
  assert.deepEqual(admin.requestParameters.userPoolId, [{ Ref: poolId }], 'AdminSetUserPassword only for this pool');
  assert.deepEqual(rule.Targets.map((target) => target.Arn), [arnOf(fnId('post-confirmation'))]);
  const invoke = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::Lambda::Permission' &&
      r.Properties.Principal === 'events.amazonaws.com' &&
      same(r.Properties.FunctionName, arnOf(fnId('post-confirmation'))) &&
      same(r.Properties.SourceArn, arnOf(ruleId)),
  );
  assert.equal(invoke.length, 1, 'EventBridge may invoke post-confirmation for that rule');

  // Grants: post-confirmation reads users, both writers stamp, the senders decrypt this pool's
  // codes and claim deliveries.
  assert.ok(allowed(resources, fnId('post-confirmation')).includes('cognito-idp:AdminGetUser'));
  for (const writer of ['post-confirmation', 'pre-token']) {
    assert.ok(allowed(resources, fnId(writer)).includes('cognito-idp:AdminUpdateUserAttributes'), `${writer} may update attributes`);
  }
  for (const sender of ['custom-sms-sender', 'custom-email-sender']) {
    const actions = allowed(resources, fnId(sender));
    for (const action of ['kms:Decrypt', 'dynamodb:UpdateItem', 'dynamodb:GetItem']) {
      assert.ok(actions.includes(action), `${sender} may ${action}`);
    }
  }
  // Only the senders' roles decrypt codes, whatever IAM allows (Amplify grants them the key
  // broadly): the key's policy has no wildcard and one Decrypt statement, for those roles.
  const keyPolicy = resources[keyId].Properties.KeyPolicy.Statement;
  const actions = (statement) => [statement.Action].flat();
  assert.ok(keyPolicy.every((st) => !actions(st).some((a) => a.includes('*'))), 'no wildcard action on the code key');
  const decrypting = keyPolicy.filter((st) => actions(st).includes('kms:Decrypt'));
  assert.equal(decrypting.length, 1, 'one statement may decrypt with the code key');
  const senderRoles = ['custom-sms-sender', 'custom-email-sender'].map((fn) => resources[fnId(fn)].Properties.Role);
  assert.deepEqual(decrypting[0].Condition.ArnEquals['aws:PrincipalArn'], senderRoles, 'only the senders decrypt');

  // Each function writes its own log group, kept a set time, and nothing else of CloudWatch Logs.
  for (const fn of FUNCTIONS) {
    const role = resources[resources[fnId(fn)].Properties.Role['Fn::GetAtt'][0]].Properties;
    assert.equal(role.ManagedPolicyArns, undefined, `${fn}'s role has no managed policy`);
    const logGroup = resources[fnId(fn)].Properties.LoggingConfig.LogGroup;
    assert.equal(resources[logGroup.Ref].Properties.RetentionInDays, 30, `${fn}'s logs are kept 30 days`);
  }

  assert.ok(allowed(resources, fnId('custom-sms-sender')).includes('sns:Publish'));
  assert.ok(allowed(resources, fnId('custom-email-sender')).includes('ses:SendEmail'));
  return functions;
}

/** Every action the policies attached to a function's role allow. */
function allowed(resources, functionId) {
  const role = resources[functionId].Properties.Role['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref) => ref.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => [statement.Action].flat());
}
