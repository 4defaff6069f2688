/**
 * Strict command-line parsing: node:util parseArgs with unknown flags, missing values and stray
 * positionals turned into one sentence that says what to type instead; and the one typed reader for
 * numeric and enumerated values (flags and environment settings alike), so every command words a bad
 * value the same way: `<where> must be <what>, not "<value>".`
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './cli-error.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParseFlagsContext {
  /** How the user runs the command, for the hint: e.g. "npm run token --". */
  readonly command: string;
}

export function parseFlags<const O extends FlagSpec>(
  argv: readonly string[],
  options: O,
  context: ParseFlagsContext,
) {
  // Every command that has --help answers -h too: the first thing a new user types.
  const help = options.help;
  const withShortHelp: O =
    help?.type === 'boolean' && help.short === undefined
      ? { ...options, help: { ...help, short: 'h' } }
      : options;
  try {
    return parseArgs({
      args: joinNegativeNumbers(argv, withShortHelp),
      options: withShortHelp,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(describeParseError(error, options, context), { cause: error });
  }
}

/**
 * parseArgs reads `--iterations -1` as a flag without its value followed by an unknown flag `-1`, and the
 * user would be told the flag "needs a value" although they gave one. A negative number after a flag
 * that takes a value is that flag's value: joined as `--iterations=-1`, it reaches the range check below,
 * which names the range.
 */
function joinNegativeNumbers(argv: readonly string[], options: FlagSpec): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const next = argv[index + 1];
    const name = /^--([\w-]+)$/.exec(arg)?.[1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index += 1;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

function describeParseError(error: unknown, options: FlagSpec, context: ParseFlagsContext): string {
  const help = `run \`${context.command} --help\` for the flags it accepts`;
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const message = error instanceof Error ? error.message : '';
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flag = quoted.split('=')[0] ?? quoted;
      const suggestion = closestFlag(flag, Object.keys(options));
      return `Unknown flag ${flag}${suggestion ? ` (did you mean --${suggestion}?)` : ''}: ${help}.`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = /--([\w-]+)/.exec(message)?.[1];
      const spec = name === undefined ? undefined : options[name];
      if (name !== undefined && spec?.type === 'string') {
        return `Flag --${name} needs a value, as in --${name} VALUE: ${help}.`;
      }
      if (name !== undefined && spec?.type === 'boolean') {
        return `Flag --${name} takes no value (write --${name} alone): ${help}.`;
      }
      return `A flag has an invalid value: ${help}.`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `Unexpected argument "${quoted}" (every setting is a --flag): ${help}.`;
    default:
      return `The command line could not be read: ${help}.`;
  }
}

/** The known flag within edit distance 2 of what was typed, if any: catches typos like --forse. */
function closestFlag(typed: string, known: readonly string[]): string | undefined {
  const bare = typed.replace(/^-+/, '');
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(bare, name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Where a value came from, as the message names it: a flag as `--name` ("Flag --name must be ...") or an
 * environment setting by its variable name ("LOCAL_API_PORT must be ...").
 */
type ValueSource = string;

function named(source: ValueSource): string {
  return source.startsWith('--') ? `Flag ${source}` : source;
}

/** The one shape of every bad-value message: where, what it must be, and what was given. */
function badValue(source: ValueSource, expectation: string, value: string, detail?: string): UsageError {
  return new UsageError(
    `${named(source)} must be ${expectation}, not ${JSON.stringify(value)}${detail ? ` (${detail})` : ''}.`,
  );
}

export interface WholeNumberRange {
  readonly min: number;
  readonly max: number;
  /** Said after the range, e.g. "(0 picks a free port)". */
  readonly note?: string;
}

/** A whole number within the range, or undefined when the value is absent (the caller's default applies). */
export function wholeNumber(
  source: ValueSource,
  value: string | undefined,
  range: WholeNumberRange,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < range.min || n > range.max) {
    throw badValue(
      source,
      `a whole number from ${range.min} to ${range.max}${range.note ? ` ${range.note}` : ''}`,
      value,
    );
  }
  return n;
}

export interface DecimalRange {
  readonly min: number;
  readonly max: number;
  /** What the number counts, e.g. "seconds". */
  readonly unit: string;
}

/** A decimal number (e.g. 0.5) within the range, or undefined when the value is absent. */
export function decimalNumber(
  source: ValueSource,
  value: string | undefined,
  range: DecimalRange,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n < range.min || n > range.max) {
    throw badValue(source, `a number of ${range.unit} from ${range.min} to ${range.max}`, value);
  }
  return n;
}

/** One of `choices`, or undefined when the value is absent. */
export function oneOf<const T extends string>(
  source: ValueSource,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const found = choices.find((choice) => choice === value);
  if (found === undefined) throw badValue(source, `one of ${choices.join(', ')}`, value);
  return found;
}

/**
 * A comma-separated list of `choices` (at least one, no repeats), or undefined when the value is absent.
 * The message names the entries that are not choices, since in a long list they are hard to spot.
 */
export function listOf<const T extends string>(
  source: ValueSource,
  value: string | undefined,
  choices: readonly T[],
): T[] | undefined {
  if (value === undefined) return undefined;
  const entries = value.split(',').map((entry) => entry.trim());
  const known: T[] = [];
  const unknown: string[] = [];
  for (const entry of entries) {
    const found = choices.find((choice) => choice === entry);
    if (found === undefined) unknown.push(entry === '' ? '(an empty entry)' : entry);
    else if (!known.includes(found)) known.push(found);
  }
  if (unknown.length > 0) {
    throw badValue(
      source,
      `a comma-separated list of ${choices.join(', ')}`,
      value,
      `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not one of them`,
    );
  }
  return known;
}
