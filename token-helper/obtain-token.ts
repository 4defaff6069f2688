/**
 * The token helper as a function: sign in (or reuse a saved token that is still good), fill the
 * Postman environment template, and write it atomically with mode 0600. `npm run token` and the
 * contract runner both call this; the runner may skip the file and pass the environment to Newman
 * in memory.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { UserError } from '../common/cli-error.ts';
import { createCognitoClient, DEFAULT_TIMEOUT_MS, MAX_ATTEMPTS } from './cognito-client.ts';
import {
  cognitoEndpointOf,
  expectedIssuer,
  type Target,
  type TokenSettings,
  validateSettings,
} from './config.ts';
import { decodeIdToken, type IdTokenClaims, TokenFormatError } from './jwt-claims.ts';
import {
  BASE_URL,
  errorCode,
  fillEnvironment,
  getVariable,
  ID_TOKEN,
  type PostmanEnvironment,
  parsePostmanEnvironment,
  readEnvironmentTemplate,
} from './postman-environment.ts';
import { signIn } from './sign-in.ts';

/** A saved token is reused only while more than this much of its life remains. */
export const MIN_REMAINING_SECONDS = 5 * 60;

export interface ObtainTokenOptions {
  /** Paths are resolved against this directory; default: the working directory (npm sets it to the project root). */
  readonly rootDir?: string;
  /** Default `environments/<target>.postman_environment.json`. */
  readonly templatePath?: string;
  /** Default `environments/generated/<target>.postman_environment.json`. */
  readonly outPath?: string;
  /** `false`: neither read nor write a file; the environment is only returned. Default `true`. */
  readonly write?: boolean;
  /** Sign in even if the saved token is still good. */
  readonly force?: boolean;
  /** Secret variables to add to the environment (e.g. attack tokens); typed `secret`. */
  readonly extraValues?: Readonly<Record<string, string>>;
  /** Per-attempt Cognito timeout; default 5 s, two attempts at most. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  /** A client to use instead of creating one (it is then not destroyed here). */
  readonly client?: CognitoIdentityProviderClient;
}

/**
 * The outcome. `environment`, `idToken`, `accessToken` and `refreshToken` are non-enumerable, so
 * `console.log(result)` and `JSON.stringify(result)` do not print them by accident.
 */
export interface TokenResult {
  readonly environment: PostmanEnvironment;
  readonly idToken: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly claims: IdTokenClaims;
  /** True when the saved token was reused and Cognito was not called. */
  readonly reused: boolean;
  /** True when NEW_PASSWORD_REQUIRED was answered: the user's password is now `newPassword`. */
  readonly passwordChanged: boolean;
  /** The file written, absolute; absent when `write` is false. */
  readonly path?: string;
}

export function defaultTemplatePath(target: Target, rootDir: string = process.cwd()): string {
  return resolve(rootDir, 'environments', `${target}.postman_environment.json`);
}

export function defaultOutPath(target: Target, rootDir: string = process.cwd()): string {
  return resolve(rootDir, 'environments', 'generated', `${target}.postman_environment.json`);
}

export async function obtainToken(
  input: TokenSettings,
  options: ObtainTokenOptions = {},
): Promise<TokenResult> {
  const settings = validateSettings(input);
  const rootDir = options.rootDir ?? process.cwd();
  const now = options.now ?? (() => new Date());
  const write = options.write ?? true;
  const templatePath = resolve(
    rootDir,
    options.templatePath ?? defaultTemplatePath(settings.target, rootDir),
  );
  const outPath = resolve(rootDir, options.outPath ?? defaultOutPath(settings.target, rootDir));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // The template is checked first so that a broken one costs no Cognito call.
  const template = await readEnvironmentTemplate(templatePath, displayPath(templatePath));

  const saved =
    write && options.force !== true ? await findReusableToken(outPath, settings, now()) : undefined;
  let tokens: { idToken: string; accessToken?: string; refreshToken?: string; passwordChanged: boolean };
  let claims: IdTokenClaims;
  if (saved !== undefined) {
    tokens = { idToken: saved.idToken, passwordChanged: false };
    claims = saved.claims;
  } else {
    const client = options.client ?? createCognitoClient(settings, { timeoutMs });
    try {
      tokens = await signIn(client, settings, {
        timeoutMs,
        abortSignal: AbortSignal.timeout(timeoutMs * MAX_ATTEMPTS + 2_000),
      });
    } finally {
      if (options.client === undefined) client.destroy();
    }
    try {
      claims = decodeIdToken(tokens.idToken).claims;
    } catch (error) {
      const reason = error instanceof TokenFormatError ? error.message : 'it cannot be decoded';
      throw new UserError(
        `Cognito returned an ID token the helper cannot read (${reason}): check COGNITO_ENDPOINT points at Cognito.`,
        { cause: error },
      );
    }
    // Real Cognito cannot get this wrong, but cognito-local ignores the pool id it is given.
    const mismatch = describeMismatch(claims, settings);
    if (mismatch !== undefined) throw new UserError(mismatch);
  }

  const environment = fillEnvironment(template, {
    baseUrl: settings.apiUrl,
    idToken: tokens.idToken,
    idTokenExp: claims.exp,
    cognito: {
      // With a trailing slash, as the templates write it: the collection POSTs to this URL as is.
      cognito_endpoint: `${cognitoEndpointOf(settings)}/`,
      aws_region: settings.region,
      cognito_user_pool_id: settings.userPoolId,
      cognito_client_id: settings.clientId,
      username: settings.username,
    },
    ...(options.extraValues === undefined ? {} : { extraValues: options.extraValues }),
    exportedAt: now(),
  });

  if (write) await writeEnvironment(outPath, environment, options.outPath === undefined);

  const result = {
    claims,
    reused: saved !== undefined,
    passwordChanged: tokens.passwordChanged,
    ...(write ? { path: outPath } : {}),
  };
  hide(result, 'environment', environment);
  hide(result, 'idToken', tokens.idToken);
  if (tokens.accessToken !== undefined) hide(result, 'accessToken', tokens.accessToken);
  if (tokens.refreshToken !== undefined) hide(result, 'refreshToken', tokens.refreshToken);
  return result as TokenResult;
}

function hide(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: false });
}

function describeMismatch(claims: IdTokenClaims, settings: TokenSettings): string | undefined {
  if (!issuerMatches(claims, settings)) {
    return `Cognito issued a token from ${claims.iss}, not from pool ${settings.userPoolId}: check COGNITO_USER_POOL_ID and COGNITO_ENDPOINT.`;
  }
  if (claims.aud !== settings.clientId) {
    return `Cognito issued a token for app client ${claims.aud}, not ${settings.clientId}: check COGNITO_CLIENT_ID.`;
  }
  return undefined;
}

function issuerMatches(claims: IdTokenClaims, settings: TokenSettings): boolean {
  const issuer = expectedIssuer(settings);
  return issuer === undefined ? claims.iss.endsWith(`/${settings.userPoolId}`) : claims.iss === issuer;
}

/**
 * The token saved in `path`, if it is for the same API, issuer, client and user, and has more than
 * MIN_REMAINING_SECONDS left. Anything unreadable simply means "sign in again".
 */
export async function findReusableToken(
  path: string,
  settings: TokenSettings,
  now: Date,
): Promise<{ idToken: string; claims: IdTokenClaims } | undefined> {
  let environment: PostmanEnvironment;
  try {
    environment = parsePostmanEnvironment(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return undefined;
  }
  const idToken = getVariable(environment, ID_TOKEN);
  if (idToken === undefined || idToken === '' || getVariable(environment, BASE_URL) !== settings.apiUrl)
    return undefined;
  let claims: IdTokenClaims;
  try {
    claims = decodeIdToken(idToken).claims;
  } catch {
    return undefined;
  }
  const wanted = settings.username.toLowerCase();
  const userMatches = claims.username.toLowerCase() === wanted || claims.email?.toLowerCase() === wanted;
  const remaining = claims.exp - now.getTime() / 1000;
  if (
    !issuerMatches(claims, settings) ||
    claims.aud !== settings.clientId ||
    !userMatches ||
    remaining <= MIN_REMAINING_SECONDS
  ) {
    return undefined;
  }
  return { idToken, claims };
}

async function writeEnvironment(
  path: string,
  environment: PostmanEnvironment,
  isDefaultPath: boolean,
): Promise<void> {
  try {
    // The default place is gitignored and may not exist yet; a user's --out directory must exist.
    if (isDefaultPath) await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, `${JSON.stringify(environment, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    const code = errorCode(error) ?? 'unknown error';
    const fix =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'create its directory or choose another path with --out'
        : code === 'EISDIR'
          ? 'give --out a file name, not a directory'
          : 'choose a writable path with --out';
    throw new UserError(`Cannot write the Postman environment to ${displayPath(path)} (${code}): ${fix}.`, {
      cause: error,
    });
  }
}

/** Relative to the working directory when inside it, which is how users typed it. */
export function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd !== '' && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : path;
}
