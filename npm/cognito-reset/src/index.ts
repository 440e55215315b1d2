// cognito-reset for Amplify Gen 2 and CDK apps: the functions' typed options and their
// environments, checked under the functions' rules. The prebuilt functions are in `bin/`
// (`bin/<arm64|x86_64>/<function>/bootstrap`, for Lambda's `provided.al2023`).

export { OptionError, checkOptions, environment, problem } from './environment.js';
export { FUNCTIONS, SETTINGS } from './settings.js';
export type { Country, FunctionName, Options, Rule, Setting } from './settings.js';
