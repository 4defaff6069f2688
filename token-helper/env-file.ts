/**
 * Loads `.env` into process.env once, never replacing a variable that is already set, and remembers
 * which keys came from the file so that configuration messages can say where a bad value lives.
 * Populating process.env (rather than a private copy) lets AWS_PROFILE and friends in `.env` reach
 * the AWS SDK's credential chain.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { config } from 'dotenv';
import { UsageError } from '../common/cli-error.ts';

let loaded: { path: string; keys: ReadonlySet<string> } | undefined;

/** Returns the keys `.env` supplied (those not already set in the environment). */
export function loadDotenvOnce(path: string = resolve('.env')): ReadonlySet<string> {
  if (loaded !== undefined) return loaded.keys;
  const keys = new Set<string>();
  if (existsSync(path)) {
    const before = new Set(Object.keys(process.env));
    const result = config({ path, quiet: true, override: false });
    if (result.error !== undefined) {
      throw new UsageError(
        `The file ${path} cannot be read (${result.error.message}): fix its permissions or remove it.`,
        {
          cause: result.error,
        },
      );
    }
    for (const key of Object.keys(result.parsed ?? {})) if (!before.has(key)) keys.add(key);
  }
  loaded = { path, keys };
  return keys;
}
