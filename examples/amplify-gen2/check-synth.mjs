// Synthesizes this Amplify backend offline, as `ampx` would, and checks what the user pool gets
// from it. Asset bundling is skipped (`aws:cdk:bundling-stacks: []`), so cargo-lambda-cdk builds
// nothing: the checks read the templates, never the binaries. Run by `make example-check`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'amplify-synth-'));
try {
  execFileSync(join(here, 'node_modules/.bin/tsx'), ['amplify/backend.ts'], {
    cwd: here,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      CDK_OUTDIR: out,
      CDK_CONTEXT_JSON: JSON.stringify({
        'amplify-backend-namespace': 'example',
        'amplify-backend-name': 'check',
        'amplify-backend-type': 'sandbox',
        'aws:cdk:bundling-stacks': [],
      }),
    },
  });
  check(readTemplates(out));
  console.log('amplify-gen2: synthesized; key, triggers, password-change rule and grants in place');
} finally {
  rmSync(out, { recursive: true, force: true });
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

function check(resources) {
  const [, pool] = one(resources, 'AWS::Cognito::UserPool');
  const [keyId] = one(resources, 'AWS::KMS::Key', 'CustomSenderKey');
  const fn = (prefix) => one(resources, 'AWS::Lambda::Function', prefix);
  const [smsId, sms] = fn('customsmssender');
  const [emailId, email] = fn('customemailsender');
  const [preTokenId] = fn('pretoken');
  const [postId] = fn('postconfirmation');

  // The senders decrypt with the key Cognito encrypts under.
  assert.deepEqual(pool.LambdaConfig.KMSKeyID, arnOf(keyId), 'the pool encrypts codes under the senders key');
  for (const [name, sender] of [['custom-sms-sender', sms], ['custom-email-sender', email]]) {
    assert.deepEqual(sender.Environment.Variables.KEY_ARN, arnOf(keyId), `${name} KEY_ARN is the pool's key`);
    assert.equal(sender.Timeout, 20, `${name} timeout holds the steps' budgets (shared/src/domain/budgets.rs)`);
  }
  assert.deepEqual(pool.LambdaConfig.CustomSMSSender, { LambdaArn: arnOf(smsId), LambdaVersion: 'V1_0' });
  assert.deepEqual(pool.LambdaConfig.CustomEmailSender, { LambdaArn: arnOf(emailId), LambdaVersion: 'V1_0' });

  // Restrict mode needs pre token generation V2_0.
  assert.deepEqual(pool.LambdaConfig.PreTokenGenerationConfig, { LambdaArn: arnOf(preTokenId), LambdaVersion: 'V2_0' });
  assert.deepEqual(pool.LambdaConfig.PostConfirmation, arnOf(postId));

  // The app client never writes the rules' attributes.
  const [, client] = one(resources, 'AWS::Cognito::UserPoolClient');
  for (const attribute of ['custom:password_changed_at', 'custom:force_password_reset']) {
    assert.ok(Array.isArray(client.WriteAttributes), 'the app client lists its write attributes');
    assert.ok(!client.WriteAttributes.includes(attribute), `the app client may not write ${attribute}`);
  }

  // updatePassword (ChangePassword) and a permanent AdminSetUserPassword reach post-confirmation.
  const [ruleId, rule] = one(resources, 'AWS::Events::Rule', 'RecordPasswordChanges');
  const names = rule.EventPattern.detail.$or.flatMap((alternative) => alternative.eventName);
  assert.deepEqual(names.sort(), ['AdminSetUserPassword', 'ChangePassword']);
  const admin = rule.EventPattern.detail.$or.find((alternative) => alternative.eventName.includes('AdminSetUserPassword'));
  assert.deepEqual(admin.requestParameters.userPoolId, [{ Ref: poolId(resources) }], 'AdminSetUserPassword only for this pool');
  assert.deepEqual(rule.Targets.map((target) => target.Arn), [arnOf(postId)]);
  const invoke = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::Lambda::Permission' &&
      r.Properties.Principal === 'events.amazonaws.com' &&
      JSON.stringify(r.Properties.FunctionName) === JSON.stringify(arnOf(postId)) &&
      JSON.stringify(r.Properties.SourceArn) === JSON.stringify(arnOf(ruleId)),
  );
  assert.equal(invoke.length, 1, 'EventBridge may invoke post-confirmation for that rule');

  // post-confirmation reads the user before stamping; both writers update attributes.
  assert.ok(allowed(resources, postId).includes('cognito-idp:AdminGetUser'), 'post-confirmation may AdminGetUser');
  for (const writer of [postId, preTokenId]) {
    assert.ok(allowed(resources, writer).includes('cognito-idp:AdminUpdateUserAttributes'), `${writer} may update attributes`);
  }
}

function poolId(resources) {
  return one(resources, 'AWS::Cognito::UserPool')[0];
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
