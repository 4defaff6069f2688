/**
 * Postman environments (the v2.1 export format Newman reads): validating a committed template,
 * filling it with the run's values, and reading values back from a generated file.
 *
 * Templates are committed and hold no secrets; the filled copy holds the live ID token and is
 * therefore only ever written with mode 0600 to a gitignored place (see obtain-token.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { errorCode, isRecord } from '../common/records.ts';
import { sha256 } from '../common/sha256.ts';
import { ConfigurationError, SignInError } from './diagnosis.ts';

export type PostmanVariableType = 'default' | 'secret' | 'any';

export interface PostmanVariable {
  key: string;
  value: string;
  type: PostmanVariableType;
  enabled: boolean;
}

export interface PostmanEnvironment {
  id: string;
  name: string;
  values: PostmanVariable[];
  _postman_variable_scope: 'environment';
  _postman_exported_at?: string;
  _postman_exported_using?: string;
}

/** Variables the helper always sets: the collection reads these. */
export const BASE_URL = 'baseUrl';
export const ID_TOKEN = 'id_token';
export const ID_TOKEN_EXP = 'id_token_exp';
/** Saved beside the ID token so that a reused token still provides every clause its token. */
export const ACCESS_TOKEN = 'access_token';
/** Lets the next run (and the collection) sign in again without the password, for 30 days by default. */
export const REFRESH_TOKEN = 'refresh_token';

/** Variables the helper sets only when the template declares them (for requests that talk to Cognito). */
export const OPTIONAL_COGNITO_KEYS = [
  'cognito_endpoint',
  'aws_region',
  'cognito_user_pool_id',
  'cognito_client_id',
  'username',
] as const;
export type OptionalCognitoKey = (typeof OPTIONAL_COGNITO_KEYS)[number];

export class EnvironmentFormatError extends Error {
  override readonly name = 'EnvironmentFormatError';
}

/** Narrows untrusted JSON to a Postman environment, normalising what Postman itself leaves optional. */
export function parsePostmanEnvironment(json: unknown): PostmanEnvironment {
  if (!isRecord(json)) throw new EnvironmentFormatError('it is not a JSON object');
  const scope = json._postman_variable_scope;
  if (scope !== undefined && scope !== 'environment') {
    throw new EnvironmentFormatError(
      `its _postman_variable_scope is ${JSON.stringify(scope)}, not "environment"`,
    );
  }
  if (!Array.isArray(json.values)) throw new EnvironmentFormatError('it has no "values" array');
  const seen = new Set<string>();
  const values = json.values.map((entry: unknown, index): PostmanVariable => {
    if (!isRecord(entry) || typeof entry.key !== 'string' || entry.key.length === 0) {
      throw new EnvironmentFormatError(`values[${index}] has no "key" string`);
    }
    if (seen.has(entry.key)) throw new EnvironmentFormatError(`it declares "${entry.key}" twice`);
    seen.add(entry.key);
    const raw = entry.value;
    if (
      raw !== undefined &&
      raw !== null &&
      typeof raw !== 'string' &&
      typeof raw !== 'number' &&
      typeof raw !== 'boolean'
    ) {
      throw new EnvironmentFormatError(`the value of "${entry.key}" is not a string`);
    }
    const type = entry.type === 'secret' || entry.type === 'any' ? entry.type : 'default';
    return {
      key: entry.key,
      value: raw === undefined || raw === null ? '' : String(raw),
      type,
      enabled: entry.enabled !== false,
    };
  });
  const id = json.id;
  const name = json.name;
  return {
    id: typeof id === 'string' ? id : '',
    name: typeof name === 'string' ? name : '',
    values,
    _postman_variable_scope: 'environment',
  };
}

/** A template as read: the environment, and the SHA-256 of the very bytes it was parsed from. */
export interface TemplateRead {
  readonly environment: PostmanEnvironment;
  readonly sha256: string;
}

/**
 * Reads and checks a template. Missing, unreadable, broken, or (a leak waiting to happen) carrying a
 * token: each is one sentence naming the file and the fix. `given`: the user named the file
 * (`--template`), so it is a usage mistake (exit 2) whose fix is the path; the committed default is
 * restored from git. The digest is of the bytes parsed, so a caller that records which template it
 * used (summary.json) records the file as it was filled, not as it is later.
 */
export async function readEnvironmentTemplate(
  path: string,
  displayPath: string = path,
  given = false,
): Promise<TemplateRead> {
  const fail = (message: string, cause?: unknown): SignInError | ConfigurationError => {
    const options = cause === undefined ? {} : { cause };
    return given
      ? new ConfigurationError('template-invalid', message, options)
      : new SignInError('template-invalid', message, options);
  };
  const restore = given
    ? 'check the path given to --template'
    : `restore it with \`git checkout -- ${displayPath}\``;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') {
      throw fail(
        `The Postman environment template ${displayPath} ${given ? 'does not exist' : 'is missing'}: ${restore}.`,
        error,
      );
    }
    throw fail(
      code === 'EISDIR'
        ? `The Postman environment template ${displayPath} is a folder: ${given ? 'give --template the environment file' : restore}.`
        : `The Postman environment template ${displayPath} cannot be read (${code ?? 'unknown error'}): check its permissions.`,
      error,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw fail(
      `The Postman environment template ${displayPath} is not valid JSON (${error instanceof Error ? error.message : 'parse error'}): fix it or ${restore}.`,
      error,
    );
  }
  let template: PostmanEnvironment;
  try {
    template = parsePostmanEnvironment(json);
  } catch (error) {
    const reason = error instanceof EnvironmentFormatError ? error.message : 'it has an unexpected shape';
    throw fail(
      `The Postman environment template ${displayPath} is not a Postman environment (${reason}): fix it or ${restore}.`,
      error,
    );
  }
  for (const key of [ID_TOKEN, ACCESS_TOKEN, REFRESH_TOKEN]) {
    const token = template.values.find((variable) => variable.key === key);
    if (token !== undefined && token.value !== '') {
      throw new SignInError(
        'template-invalid',
        `The Postman environment template ${displayPath} holds a value for ${key}: committed templates must not hold tokens, so empty that value (and revoke the token if it was pushed).`,
      );
    }
  }
  return { environment: template, sha256: sha256(bytes) };
}

export interface EnvironmentFill {
  readonly baseUrl: string;
  readonly idToken: string;
  /** Expiry of the ID token, epoch seconds. */
  readonly idTokenExp: number;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  /** Set only for keys the template declares. */
  readonly cognito: Readonly<Record<OptionalCognitoKey, string>>;
  readonly exportedAt: Date;
}

/**
 * A generated environment's identity, distinct from its template's and from every other generated
 * file's: Postman identifies an imported environment by its id, so a generated file that kept the
 * template's id (and name) looked like the template in the app, and importing one replaced the other.
 * The id is a name-based UUID (version 5 layout) of the template id and the producer, so it is stable
 * from run to run.
 */
export function generatedIdentity(
  template: Pick<PostmanEnvironment, 'id' | 'name'>,
  producer: string,
): Pick<PostmanEnvironment, 'id' | 'name'> {
  const hex = createHash('sha1').update(`${template.id}\0${producer}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
  return { id, name: `${template.name} (generated by ${producer})` };
}

/** A new environment: the template's variables with the run's values set. The template is not modified. */
export function fillEnvironment(template: PostmanEnvironment, fill: EnvironmentFill): PostmanEnvironment {
  const values = template.values.map((variable) => ({ ...variable }));
  const set = (key: string, value: string, type: PostmanVariableType): void => {
    const existing = values.find((variable) => variable.key === key);
    if (existing === undefined) {
      values.push({ key, value, type, enabled: true });
    } else {
      existing.value = value;
      existing.type = type;
      existing.enabled = true;
    }
  };
  set(BASE_URL, fill.baseUrl, 'default');
  set(ID_TOKEN, fill.idToken, 'secret');
  set(ID_TOKEN_EXP, String(fill.idTokenExp), 'default');
  if (fill.accessToken !== undefined) set(ACCESS_TOKEN, fill.accessToken, 'secret');
  if (fill.refreshToken !== undefined) set(REFRESH_TOKEN, fill.refreshToken, 'secret');
  for (const key of OPTIONAL_COGNITO_KEYS) {
    if (template.values.some((variable) => variable.key === key)) set(key, fill.cognito[key], 'default');
  }
  return {
    ...generatedIdentity(template, 'npm run token'),
    values,
    _postman_variable_scope: 'environment',
    _postman_exported_at: fill.exportedAt.toISOString(),
    _postman_exported_using: 'cognito-api-contract token helper',
  };
}

export function getVariable(environment: PostmanEnvironment, key: string): string | undefined {
  return environment.values.find((variable) => variable.key === key)?.value;
}
