// Reads [{variable, value}] as JSON on standard input and prints, for each, what the package's
// check says (`null`, or the functions' message): the workspace test compares it with the
// functions' own parsers (tests/it/settings.rs).

import { problem } from '../src/environment.js';
import { SETTINGS } from '../src/settings.js';

process.stdin.setEncoding('utf8');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const cases = JSON.parse(input) as { variable: string; value: string }[];
const verdicts = cases.map(({ variable, value }) => {
  const setting = SETTINGS.find((s) => s.variable === variable);
  return setting ? problem(setting, value) : `no setting ${variable}`;
});
process.stdout.write(JSON.stringify(verdicts));
