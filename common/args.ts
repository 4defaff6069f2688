/**
 * Strict command-line parsing: node:util parseArgs with unknown flags, missing values and stray
 * positionals turned into one sentence that says what to type instead.
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
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(describeParseError(error, options, context), { cause: error });
  }
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
