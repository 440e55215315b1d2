// The Amplify helper refuses what the functions would refuse, before any construct exists, and
// gives defineAuth and defineBackend what they take.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cognitoReset } from '../src/amplify.js';
import { OptionError } from '../src/environment.js';
import type { Options } from '../src/settings.js';

const GOOD = { appName: 'Contoso', emailFrom: 'no-reply@example.com', smsAllowedCountries: ['US'] } as const;

function refusal(options: Options): OptionError {
  try {
    cognitoReset(options);
  } catch (e) {
    assert.ok(e instanceof OptionError, `an OptionError, not ${String(e)}`);
    return e;
  }
  assert.fail('accepted');
}

test('a required setting left out is refused with the functions message', () => {
  const e = refusal({ appName: 'Contoso', smsAllowedCountries: ['US'] });
  assert.equal(e.variable, 'EMAIL_FROM');
  assert.match(e.message, /^configuration variable EMAIL_FROM is required: /);
});

test('a value the rule refuses, a misspelt option and one attribute for both rules are refused', () => {
  assert.equal(refusal({ ...GOOD, passwordMaxAgeDays: 4000 }).variable, 'PASSWORD_MAX_AGE_DAYS');
  assert.equal(
    refusal({ ...GOOD, apName: 'Contoso' } as unknown as Options).message,
    'cognito-reset has no option "apName"',
  );
  const same = refusal({ ...GOOD, passwordChangedAttribute: 'custom:when', forceResetAttribute: 'custom:when' });
  assert.equal(same.variable, 'FORCE_RESET_ATTRIBUTE');
  assert.equal(
    same.message,
    'configuration variable FORCE_RESET_ATTRIBUTE must be a custom attribute such as custom:force_password_reset, other than PASSWORD_CHANGED_ATTRIBUTE',
  );
});

test('defineAuth gets the rule attributes the options name, both senders and two triggers', () => {
  const reset = cognitoReset({ ...GOOD, passwordChangedAttribute: 'custom:changed' });
  assert.deepEqual(Object.keys(reset.auth.userAttributes).sort(), ['custom:changed', 'custom:force_password_reset']);
  assert.equal(reset.auth.senders.email.handler, reset.functions.cognitoResetCustomEmailSender);
  assert.equal(reset.auth.senders.sms.handler, reset.functions.cognitoResetCustomSmsSender);
  assert.deepEqual(Object.keys(reset.auth.triggers).sort(), ['customMessage', 'postConfirmation']);
  assert.equal(Object.keys(reset.functions).length, 5);
});

test('attach before defineBackend made the functions says what is missing', () => {
  const reset = cognitoReset(GOOD);
  assert.throws(
    () => reset.attach({} as never),
    /defineBackend has no cognitoResetCustomMessage, .*: pass \.\.\.reset\.functions to it/,
  );
});

test('user migration is deployed only with its database and its query, and then triggers', () => {
  const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-db-AbCdEf';
  const query = 'SELECT password_hash, email FROM users WHERE email = $1';
  assert.equal(refusal({ ...GOOD, legacyDatabaseSecretArn: secret }).variable, 'LEGACY_USER_QUERY');
  assert.equal(refusal({ ...GOOD, legacyUserQuery: query }).variable, 'LEGACY_DATABASE_SECRET_ARN');
  assert.equal(refusal({ ...GOOD, legacyDatabaseSecretArn: secret, legacyUserQuery: 'SELECT 1' }).variable, 'LEGACY_USER_QUERY');
  assert.equal(refusal({ ...GOOD, legacyDatabaseSecretArn: 'legacy-db', legacyUserQuery: query }).variable, 'LEGACY_DATABASE_SECRET_ARN');
  assert.equal(refusal({ ...GOOD, legacyDatabaseSecretArn: secret, legacyUserQuery: query, onWeakHash: 'deny' } as unknown as Options).variable, 'ON_WEAK_HASH');
  const reset = cognitoReset({ ...GOOD, legacyDatabaseSecretArn: secret, legacyUserQuery: query, onWeakHash: 'allow' });
  assert.equal(Object.keys(reset.functions).length, 6);
  assert.equal(reset.auth.triggers.userMigration, reset.functions.cognitoResetUserMigration);
  const without = cognitoReset(GOOD);
  assert.equal(without.auth.triggers.userMigration, undefined);
  assert.ok(!('cognitoResetUserMigration' in without.functions));
});

test('the key of the legacy store\'s secret is a KMS key\'s ARN, given only beside a secret to decrypt', () => {
  const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const database = { legacyDatabaseSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-db-AbCdEf', legacyUserQuery: 'SELECT password_hash FROM users WHERE email = $1' };
  assert.throws(() => cognitoReset(GOOD, { legacySecretKmsKeyArn: key }), /^Error: cognito-reset: legacySecretKmsKeyArn is the key of the legacy store's secret, and neither legacyDatabaseSecretArn nor legacyUserEndpointTokenSecretArn is set$/);
  for (const bad of ['alias/legacy-secrets', '1234abcd-12ab-34cd-56ef-1234567890ab', `${key} `, 'arn:aws:kms:us-east-1:123456789012:alias/legacy']) {
    assert.throws(() => cognitoReset({ ...GOOD, ...database }, { legacySecretKmsKeyArn: bad }), /legacySecretKmsKeyArn must be a KMS key's ARN/, bad);
  }
  const reset = cognitoReset({ ...GOOD, ...database }, { legacySecretKmsKeyArn: key });
  assert.equal(reset.auth.triggers.userMigration, reset.functions.cognitoResetUserMigration);
});

test('user migration from the team\'s API needs its token and no query, and never with a database too', () => {
  const endpoint = 'https://legacy.example.com/cognito/users';
  const token = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-api-token-AbCdEf';
  const database = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-db-AbCdEf';
  const query = 'SELECT password_hash, email FROM users WHERE email = $1';
  assert.equal(refusal({ ...GOOD, legacyUserEndpoint: endpoint }).variable, 'LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN');
  assert.equal(refusal({ ...GOOD, legacyUserEndpointTokenSecretArn: token }).variable, 'LEGACY_USER_ENDPOINT');
  assert.equal(refusal({ ...GOOD, legacyUserEndpoint: endpoint, legacyUserEndpointTokenSecretArn: token, legacyUserQuery: query }).variable, 'LEGACY_USER_QUERY');
  assert.equal(
    refusal({ ...GOOD, legacyUserEndpoint: endpoint, legacyUserEndpointTokenSecretArn: token, legacyDatabaseSecretArn: database, legacyUserQuery: query }).variable,
    'LEGACY_USER_ENDPOINT',
  );
  // The function's own rules: https only (http to loopback means nothing in AWS), no credentials.
  for (const bad of ['http://legacy.example.com/users', 'https://app:secret@legacy.example.com/users', 'legacy.example.com']) {
    assert.equal(refusal({ ...GOOD, legacyUserEndpoint: bad, legacyUserEndpointTokenSecretArn: token }).variable, 'LEGACY_USER_ENDPOINT', bad);
  }
  assert.equal(refusal({ ...GOOD, legacyUserEndpoint: endpoint, legacyUserEndpointTokenSecretArn: 'legacy-api-token' }).variable, 'LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN');
  const reset = cognitoReset({ ...GOOD, legacyUserEndpoint: endpoint, legacyUserEndpointTokenSecretArn: token });
  assert.equal(Object.keys(reset.functions).length, 6);
  assert.equal(reset.auth.triggers.userMigration, reset.functions.cognitoResetUserMigration);
});
