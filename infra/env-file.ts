/**
 * Puts deploy outputs into the root `.env` without disturbing what a person wrote there: comments,
 * blank lines, key order and every other key (CONTRACT_PASSWORD among them) survive byte for byte.
 * The merge is pure so it can be tested on strings; the write goes through writeFileAtomic, so a crash
 * never leaves a half-written `.env`, and the file ends up 0600 because it holds a password.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'dotenv';
import { writeFileAtomic } from '../common/atomic-write.ts';

export type EnvUpdates = Readonly<Record<string, string>>;

// `KEY=value` or `export KEY=value`, as dotenv reads them.
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/;
// Values written bare must read back unchanged with dotenv: no quotes, spaces, '#', '$' or newlines.
const BARE_VALUE = /^[A-Za-z0-9_\-.:/@+=,%~]*$/;

function formatValue(key: string, value: string): string {
  if (BARE_VALUE.test(value)) return value;
  if (!/['\r\n]/.test(value)) return `'${value}'`;
  throw new Error(`Value for ${key} cannot be written to .env: it contains a single quote or a line break.`);
}

/**
 * Replaces every assignment of an updated key in place (dotenv lets the last one win, so all of them
 * must change) and appends keys the text did not have, in the order given.
 */
export function mergeEnvText(existing: string, updates: EnvUpdates): string {
  const newline = existing.includes('\r\n') ? '\r\n' : '\n';
  const lines = existing === '' ? [] : existing.split(/\r?\n/);
  // A trailing newline splits into a final empty string; it is restored when joining.
  const endedWithNewline = lines.at(-1) === '';
  if (endedWithNewline) lines.pop();

  const written = new Set<string>();
  const merged = lines.map((line) => {
    const key = ASSIGNMENT.exec(line)?.[1];
    const value = key === undefined ? undefined : updates[key];
    if (key === undefined || value === undefined) return line;
    written.add(key);
    return `${key}=${formatValue(key, value)}`;
  });
  for (const [key, value] of Object.entries(updates)) {
    if (!written.has(key)) merged.push(`${key}=${formatValue(key, value)}`);
  }
  return merged.length === 0 ? '' : `${merged.join(newline)}${newline}`;
}

async function readTextOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return '';
    throw error;
  }
}

/** The keys of `path` as dotenv reads them; a missing file has none (deploy creates it). */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  return parse(await readTextOrEmpty(path));
}

/** Reads `path` (absent counts as empty), merges, and replaces it atomically with mode 0600. */
export async function updateEnvFile(path: string, updates: EnvUpdates): Promise<void> {
  await writeFileAtomic(path, mergeEnvText(await readTextOrEmpty(path), updates), { mode: 0o600 });
}
