// The Rust functions of this workspace as Amplify functions, built by cargo-lambda through
// cargo-lambda-cdk's RustFunction. `resourceGroupName: 'auth'` puts them in the auth stack, as
// Amplify requires for functions the user pool invokes.
import { defineFunction } from '@aws-amplify/backend';
import { Duration } from 'aws-cdk-lib';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { RustFunction } from 'cargo-lambda-cdk';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// The workspace root, three levels up from amplify/functions/.
const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const common = {
  APP_NAME: 'Contoso',
  DEFAULT_LOCALE: 'en',
  RESET_URL: 'https://app.example.com/reset-password',
};

const rules = {
  PASSWORD_MAX_AGE_DAYS: '90',
  PASSWORD_WARN_DAYS: '14',
  ON_VIOLATION: 'restrict',
  ON_UNKNOWN_CHANGE_TIME: 'allow',
};

/** One workspace binary (folder = package = binary) as an Amplify function. */
function rust(binaryName: string, environment: Record<string, string>, timeoutSeconds = 5) {
  return defineFunction(
    (scope) =>
      new RustFunction(scope, binaryName, {
        manifestPath: path.join(workspace, 'Cargo.toml'),
        binaryName,
        architecture: Architecture.ARM_64,
        memorySize: 128,
        timeout: Duration.seconds(timeoutSeconds),
        environment,
      }),
    { resourceGroupName: 'auth' },
  );
}

export const customMessage = rust('custom-message', common);
export const preToken = rust('pre-token', rules);
export const postConfirmation = rust('post-confirmation', rules, 10);
// KEY_ARN is set in backend.ts, once the key exists. The senders' 20 s timeout holds the
// budgets of their steps (shared/src/domain/budgets.rs).
export const customSmsSender = rust('custom-sms-sender', { ...common, SMS_ALLOWED_COUNTRIES: 'US,CA' }, 20);
export const customEmailSender = rust('custom-email-sender', { ...common, EMAIL_FROM: 'no-reply@example.com' }, 20);
