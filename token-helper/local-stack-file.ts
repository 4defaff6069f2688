/**
 * The settings file a running `npm run stack` leaves for other shells:
 * `environments/generated/local.stack.json` (gitignored, mode 0600, removed when the stack stops).
 * It holds the generated password, so it is read here and never echoed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignInError } from './diagnosis.ts';
import { isRecord } from './jwt-claims.ts';
import { errorCode } from './postman-environment.ts';

export const LOCAL_STACK_FILE = join('environments', 'generated', 'local.stack.json');

export interface LocalStackFile {
  readonly apiUrl: string;
  readonly cognitoEndpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

const FIELDS = [
  'apiUrl',
  'cognitoEndpoint',
  'region',
  'userPoolId',
  'clientId',
  'username',
  'password',
] as const;

/** The stack's settings, or `undefined` when no stack is running (the file does not exist). */
export async function readLocalStackFile(
  path: string,
  displayPath: string = path,
): Promise<LocalStackFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new SignInError(
      'stack-file-broken',
      `The local stack settings file ${displayPath} cannot be read (${errorCode(error) ?? 'unknown error'}): restart \`npm run stack\`.`,
      {
        cause: error,
      },
    );
  }
  const broken = (reason: string): SignInError =>
    new SignInError(
      'stack-file-broken',
      `The local stack settings file ${displayPath} is broken (${reason}): stop and restart \`npm run stack\`.`,
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw broken('not JSON');
  }
  if (!isRecord(json)) throw broken('not a JSON object');
  const missing = FIELDS.filter((field) => typeof json[field] !== 'string' || json[field] === '');
  if (missing.length > 0) throw broken(`no ${missing.join(', ')}`);
  const field = (name: (typeof FIELDS)[number]): string => String(json[name]);
  return {
    apiUrl: field('apiUrl'),
    cognitoEndpoint: field('cognitoEndpoint'),
    region: field('region'),
    userPoolId: field('userPoolId'),
    clientId: field('clientId'),
    username: field('username'),
    password: field('password'),
  };
}
