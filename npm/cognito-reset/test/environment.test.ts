// The functions' environments from options: each function gets the settings it reads, as
// text it parses, and a value it would refuse fails here with its message.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OptionError, environment } from '../src/environment.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd';

test('each function gets the settings it reads, as the text it parses', () => {
  const options = {
    appName: 'Contoso',
    passwordMaxAgeDays: 90,
    smsAllowedCountries: ['US', 'CA'] as const,
    sendEnabled: false,
    onViolation: 'restrict',
  } as const;
  const sms = environment('custom-sms-sender', options, { KEY_ARN });
  assert.deepEqual(sms, {
    APP_NAME: 'Contoso',
    KEY_ARN,
    SEND_ENABLED: 'false',
    SMS_ALLOWED_COUNTRIES: 'US,CA',
  });
  assert.deepEqual(environment('pre-token', options), {
    PASSWORD_MAX_AGE_DAYS: '90',
    ON_VIOLATION: 'restrict',
  });
  assert.deepEqual(environment('custom-message', options), { APP_NAME: 'Contoso' });
});

test('a value the function would refuse fails with the function message', () => {
  assert.throws(
    () => environment('pre-token', { passwordMaxAgeDays: 3651 }),
    (e: unknown) =>
      e instanceof OptionError &&
      e.variable === 'PASSWORD_MAX_AGE_DAYS' &&
      e.message.startsWith('configuration variable PASSWORD_MAX_AGE_DAYS must be ') &&
      e.message.endsWith(', not "3651"'),
  );
  assert.throws(
    () => environment('custom-sms-sender', { smsAllowedCountries: ['US', 'ZZ'] as never }, { KEY_ARN }),
    /configuration variable SMS_ALLOWED_COUNTRIES must be ALL, or ISO 3166/,
  );
  // Free text is never echoed: it may be an address or a secret.
  assert.throws(
    () => environment('custom-email-sender', { emailFrom: 'Jane <jane@example.com>' }, { KEY_ARN }),
    (e: unknown) => e instanceof OptionError && !e.message.includes('jane@example.com'),
  );
});

test('a required setting left unset and a misspelt option are refused', () => {
  assert.throws(
    () => environment('custom-sms-sender', {}, { KEY_ARN }),
    /configuration variable SMS_ALLOWED_COUNTRIES is required: /,
  );
  assert.throws(
    () => environment('custom-sms-sender', { smsAllowedCountries: 'ALL' }),
    /configuration variable KEY_ARN is required: /,
  );
  assert.throws(
    () => environment('pre-token', { passwordMaxAgDays: 90 } as never),
    /cognito-reset has no option "passwordMaxAgDays"/,
  );
});

test('values are trimmed and a blank one is unset, as the functions read their environment', () => {
  assert.deepEqual(environment('custom-message', { appName: '  Contoso\u00a0', resetUrl: ' ' }), {
    APP_NAME: 'Contoso',
  });
  assert.throws(
    () => environment('custom-sms-sender', { smsAllowedCountries: ' ' as never }, { KEY_ARN }),
    /configuration variable SMS_ALLOWED_COUNTRIES is required: /,
  );
});

test('a value known only at deployment passes on unchecked; a wired name must be a wired setting', () => {
  const token = '${Token[TOKEN.12]}';
  const isToken = (v: string) => v.includes('${Token[');
  assert.deepEqual(
    environment('custom-email-sender', { emailFrom: 'no-reply@example.com' }, { KEY_ARN: token }, isToken),
    { KEY_ARN: token, EMAIL_FROM: 'no-reply@example.com' },
  );
  assert.throws(() => environment('custom-email-sender', { emailFrom: 'no-reply@example.com' }, { KEY_ARN: token }));
  assert.throws(
    () => environment('custom-email-sender', { emailFrom: 'a@example.com' }, { KEY_ARN, DELIVERY_HASH: 'x' }),
    /DELIVERY_HASH is not a setting the deployment wires/,
  );
  assert.throws(
    () => environment('custom-message', { appName: ['a', 'b'] as never }),
    (e: unknown) => e instanceof OptionError && e.message === 'the option for APP_NAME cannot be a list',
  );
});
