// cognito-reset for Amplify Gen 2 and CDK apps: the functions' typed options and their
// environments, checked under the functions' rules. The front doors are `cognito-reset/amplify`
// (`cognitoReset(options)`) and `cognito-reset/cdk` (the `CognitoReset` construct); the
// prebuilt functions are in `bin/` (Brotli-compressed `bootstrap`s for `provided.al2023`).

export { bootstrapFolder, type Architecture } from './binaries.js';
export { OptionError, checkOptions, environment, problem } from './environment.js';
export { FUNCTIONS, SETTINGS } from './settings.js';
export type { Country, FunctionName, Options, Rule, Setting } from './settings.js';
