// The functions' environments from a user's options, checked at synth time under each
// setting's rule as the functions apply it (`settings.ts`, generated from them), with the
// functions' messages: a value the rule refuses fails before anything deploys.

import { SETTINGS, type FunctionName, type Options, type Setting } from './settings.js';

/** An option (or a wired value) the functions would refuse. */
export class OptionError extends Error {
  constructor(
    /** The environment variable the option fills. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'OptionError';
  }
}

/** What Rust's `{:?}` writes as `\u{..}`: controls, format and private-use characters,
 * unassigned code points, separators other than the space, and combining marks. */
const ESCAPED = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}\p{Grapheme_Extend}]/u;

/** The first 16 characters of a refused value, as the functions print it (Rust's `{:?}`). */
function shown(value: string): string {
  let out = '"';
  for (const c of Array.from(value).slice(0, 16)) {
    const code = c.codePointAt(0) ?? 0;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\0') out += '\\0';
    else if (c !== ' ' && ESCAPED.test(c)) out += `\\u{${code.toString(16)}}`;
    else out += c;
  }
  return `${out}"`;
}

const patterns = new Map<string, RegExp>();

/**
 * What the functions say of `value` for `setting`: `null` when they accept it, otherwise the
 * message of their configuration error (`configuration variable NAME must be ...`). Free text
 * is never echoed (it may be an address or a secret); a number, a flag or a listed word is.
 */
export function problem(setting: Setting, value: string): string | null {
  const rule = setting.rule;
  let accepted: boolean;
  switch (rule.kind) {
    case 'whole': {
      // As Rust's u32 parsing: an optional plus sign, then digits.
      const n = /^\+?[0-9]+$/.test(value) ? Number(value.replace(/^\+/, '')) : NaN;
      accepted = Number.isInteger(n) && n <= 4294967295 && n >= rule.min && n <= rule.max;
      break;
    }
    case 'oneOf':
      accepted = rule.values.includes(value);
      break;
    case 'flag':
      // ASCII case only, as the functions fold it.
      accepted = ['true', '1', 'yes', 'on', 'false', '0', 'no', 'off'].includes(
        value.replace(/[A-Z]/g, (c) => c.toLowerCase()),
      );
      break;
    case 'text': {
      let re = patterns.get(setting.variable);
      if (!re) {
        re = new RegExp(rule.pattern, 'u');
        patterns.set(setting.variable, re);
      }
      accepted = re.test(value);
      break;
    }
  }
  if (accepted) return null;
  const must = `configuration variable ${setting.variable} must be ${setting.described}`;
  return rule.kind === 'text' || setting.secret ? must : `${must}, not ${shown(value)}`;
}

/** The message for a required setting left unset (or blank). */
function missing(setting: Setting): string {
  return `configuration variable ${setting.variable} is required: ${setting.described}`;
}

/** Leading and trailing white space, as Rust's `str::trim` takes it off. */
const EDGES = /^\p{White_Space}+|\p{White_Space}+$/gu;

/** An option's value as the function reads it from its environment (before trimming). */
function text(setting: Setting, value: unknown): string {
  if (Array.isArray(value) && setting.list) return value.join(',');
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return String(value);
  const what = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
  throw new OptionError(setting.variable, `the option for ${setting.variable} cannot be ${what}`);
}

/** Refuses options that are no setting (a misspelt name would otherwise be ignored). */
export function checkOptions(options: Options): void {
  const known = new Set(SETTINGS.map((s) => s.option).filter((o) => o !== null));
  for (const key of Object.keys(options)) {
    if (!known.has(key as keyof Options)) {
      throw new OptionError(key, `cognito-reset has no option ${JSON.stringify(key)}`);
    }
  }
}

/**
 * The environment of `fn`: each setting it reads, from `options` (or, for what the deployment
 * wires, from `wired`, by variable name), checked under the function's rule. As the functions
 * read their environment, a value is trimmed and a blank one is unset; unset optional settings
 * stay unset, so the function applies its default. Throws an {@link OptionError} with the
 * function's message for a value it would refuse and for a required setting left unset, and for
 * an option or a wired name that is no setting. A value `unresolved` says is not known yet (a
 * CDK token, resolved at deployment) is passed on unchecked: the function checks it at init.
 */
export function environment(
  fn: FunctionName,
  options: Options,
  wired: Readonly<Record<string, string>> = {},
  unresolved: (value: string) => boolean = () => false,
): Record<string, string> {
  checkOptions(options);
  for (const variable of Object.keys(wired)) {
    if (!SETTINGS.some((s) => s.option === null && s.variable === variable)) {
      throw new OptionError(variable, `${variable} is not a setting the deployment wires`);
    }
  }
  const env: Record<string, string> = {};
  for (const setting of SETTINGS) {
    if (!setting.functions.includes(fn)) continue;
    const given = setting.option === null ? wired[setting.variable] : options[setting.option];
    const value = given === undefined ? '' : text(setting, given).replace(EDGES, '');
    if (value === '') {
      if (setting.required) throw new OptionError(setting.variable, missing(setting));
      continue;
    }
    if (!unresolved(value)) {
      const refused = problem(setting, value);
      if (refused !== null) throw new OptionError(setting.variable, refused);
    }
    env[setting.variable] = value;
  }
  return env;
}
