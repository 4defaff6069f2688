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
import { errorCode } from '../common/records.ts';
import { FRESH_FOR_SECONDS, isFresh } from '../common/token-freshness.ts';
import type { UsedFlow } from './auth-flow.ts';
import { type ClientCredentialsSettings, obtainClientCredentialsToken } from './client-credentials.ts';
import { createCognitoClient, DEFAULT_TIMEOUT_MS } from './cognito-client.ts';
import {
  cognitoEndpointOf,
  expectedIssuer,
  type Target,
  type TokenSettings,
  validateSettings,
} from './config.ts';
import { ConfigurationError, diagnosisOf, SignInError } from './diagnosis.ts';
import { decodeIdToken, type IdTokenClaims, readUnverifiedToken, TokenFormatError } from './jwt-claims.ts';
import {
  ACCESS_TOKEN,
  BASE_URL,
  fillEnvironment,
  getVariable,
  ID_TOKEN,
  type PostmanEnvironment,
  parsePostmanEnvironment,
  REFRESH_TOKEN,
  readEnvironmentTemplate,
  type TemplateRead,
} from './postman-environment.ts';
import { refreshSignIn, type SignInTokens, signIn } from './sign-in.ts';

/** A saved token is reused only while more than this much of its life remains. */
export const MIN_REMAINING_SECONDS = FRESH_FOR_SECONDS;

export interface ObtainTokenOptions {
  /** Paths are resolved against this directory; default: the working directory (npm sets it to the project root). */
  readonly rootDir?: string;
  /** Default `environments/<target>.postman_environment.json`. */
  readonly templatePath?: string;
  /**
   * The template already read by the caller (environmentTemplateRead): filled as it was read, so the
   * template a caller checked and recorded is the one filled. Default: read `templatePath`.
   */
  readonly template?: PostmanEnvironment;
  /** Default `environments/generated/<target>.postman_environment.json`. */
  readonly outPath?: string;
  /** `false`: neither read nor write a file; the environment is only returned. Default `true`. */
  readonly write?: boolean;
  /** Sign in even if the saved token is still good. */
  readonly force?: boolean;
  /** Per-attempt Cognito timeout; default 5 s, two attempts at most. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  /** A client to use instead of creating one (it is then not destroyed here). */
  readonly client?: CognitoIdentityProviderClient;
  /**
   * A confidential app client's client_credentials grant: its access token (carrying custom scopes,
   * for methods with OAuth scopes) is written as `scoped_access_token`, with the grant's settings so
   * the collection can renew it.
   */
  readonly clientCredentials?: ClientCredentialsSettings;
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
  /** What produced the tokens: `saved`, `refresh`, or the sign-in flow (auth-flow.ts). */
  readonly flow: UsedFlow;
  /** True when NEW_PASSWORD_REQUIRED was answered: the user's password is now `newPassword`. */
  readonly passwordChanged: boolean;
  /** The file written, absolute; absent when `write` is false. */
  readonly path?: string;
  /** The client_credentials token written as scoped_access_token: its scopes and expiry (not the token). */
  readonly scopedToken?: { readonly scopes: readonly string[]; readonly expiresAt: number };
}

export function defaultTemplatePath(target: Target, rootDir: string = process.cwd()): string {
  return resolve(rootDir, 'environments', `${target}.postman_environment.json`);
}

export function defaultOutPath(target: Target, rootDir: string = process.cwd()): string {
  return resolve(rootDir, 'environments', 'generated', `${target}.postman_environment.json`);
}

/**
 * The environment template obtainToken fills for a target (the committed one, or `templatePath`),
 * read and checked: a caller that starts something first (the contract's local stack) asks for it
 * before, so a broken template is refused before anything starts, in the same sentence.
 */
export async function environmentTemplate(
  target: TokenSettings['target'],
  options: Pick<ObtainTokenOptions, 'rootDir' | 'templatePath'> = {},
): Promise<PostmanEnvironment> {
  return (await environmentTemplateRead(target, options)).environment;
}

/** environmentTemplate, with the template's absolute path and the SHA-256 of the bytes read. */
export async function environmentTemplateRead(
  target: TokenSettings['target'],
  options: Pick<ObtainTokenOptions, 'rootDir' | 'templatePath'> = {},
): Promise<TemplateRead & { readonly path: string }> {
  const rootDir = options.rootDir ?? process.cwd();
  const templatePath = resolve(rootDir, options.templatePath ?? defaultTemplatePath(target, rootDir));
  const read = await readEnvironmentTemplate(
    templatePath,
    displayPath(templatePath),
    options.templatePath !== undefined,
  );
  return { ...read, path: templatePath };
}

export async function obtainToken(
  input: TokenSettings,
  options: ObtainTokenOptions = {},
): Promise<TokenResult> {
  const settings = validateSettings(input);
  const rootDir = options.rootDir ?? process.cwd();
  const now = options.now ?? (() => new Date());
  const write = options.write ?? true;
  const outPath = resolve(rootDir, options.outPath ?? defaultOutPath(settings.target, rootDir));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // The template is checked first so that a broken one costs no Cognito call.
  const template = options.template ?? (await environmentTemplate(settings.target, options));

  const saved = write && options.force !== true ? await readSavedTokens(outPath, settings) : undefined;
  const reusable = saved !== undefined && isReusable(saved, now()) ? saved : undefined;
  let tokens: SignInTokens;
  let claims: IdTokenClaims;
  if (reusable !== undefined) {
    tokens = {
      idToken: reusable.idToken,
      accessToken: reusable.accessToken,
      ...(reusable.refreshToken === undefined ? {} : { refreshToken: reusable.refreshToken }),
      passwordChanged: false,
      flow: 'saved',
    };
    claims = reusable.claims;
  } else {
    const client = options.client ?? createCognitoClient(settings, { timeoutMs });
    const signInOptions = { timeoutMs, now };
    try {
      tokens =
        (saved?.refreshToken === undefined
          ? undefined
          : await refreshIfPossible(() =>
              refreshSignIn(
                client,
                settings,
                { refreshToken: saved.refreshToken as string, cognitoUsername: saved.claims.username },
                signInOptions,
              ),
            )) ?? (await signIn(client, settings, signInOptions));
    } finally {
      if (options.client === undefined) client.destroy();
    }
    try {
      claims = decodeIdToken(tokens.idToken).claims;
    } catch (error) {
      const reason = error instanceof TokenFormatError ? error.message : 'it cannot be decoded';
      throw new SignInError(
        'unexpected-answer',
        `Cognito returned an ID token the helper cannot read (${reason}): check COGNITO_ENDPOINT points at Cognito.`,
        { cause: error },
      );
    }
    // Real Cognito cannot get this wrong, but cognito-local ignores the pool id it is given.
    const mismatch = describeMismatch(claims, settings);
    if (mismatch !== undefined) throw new SignInError('token-mismatch', mismatch);
  }

  const environment = fillEnvironment(template, {
    baseUrl: settings.apiUrl,
    idToken: tokens.idToken,
    idTokenExp: claims.exp,
    ...(tokens.accessToken === undefined ? {} : { accessToken: tokens.accessToken }),
    ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
    cognito: {
      // With a trailing slash, as the templates write it: the collection POSTs to this URL as is.
      cognito_endpoint: `${cognitoEndpointOf(settings)}/`,
      aws_region: settings.region,
      cognito_user_pool_id: settings.userPoolId,
      cognito_client_id: settings.clientId,
      username: settings.username,
    },
    exportedAt: now(),
  });

  let scoped: Awaited<ReturnType<typeof obtainClientCredentialsToken>> | undefined;
  if (options.clientCredentials !== undefined) {
    const grant = options.clientCredentials;
    scoped = await obtainClientCredentialsToken(grant, timeoutMs);
    setVariables(environment, [
      ['oauth_token_url', grant.tokenUrl, 'default'],
      ['oauth_client_id', grant.clientId, 'default'],
      ['oauth_client_secret', grant.clientSecret, 'secret'],
      ['oauth_scopes', grant.scopes.join(' '), 'default'],
      ['scoped_access_token', scoped.accessToken, 'secret'],
    ]);
  }

  if (write) await writeEnvironment(outPath, environment, options.outPath === undefined);

  const result = {
    claims,
    reused: reusable !== undefined,
    flow: tokens.flow,
    passwordChanged: tokens.passwordChanged,
    ...(write ? { path: outPath } : {}),
    ...(scoped ? { scopedToken: { scopes: scoped.scopes, expiresAt: scoped.expiresAt } } : {}),
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

/** What a saved environment holds, if it is for the same API, issuer, client and user. */
export interface SavedTokens {
  readonly idToken: string;
  readonly claims: IdTokenClaims;
  readonly accessToken?: string;
  readonly refreshToken?: string;
}

/**
 * The tokens saved in `path` for these settings (same API URL, issuer, app client and user), expired or
 * not: an expired ID token still names the user a refresh token belongs to. Anything unreadable simply
 * means "sign in again".
 */
export async function readSavedTokens(
  path: string,
  settings: TokenSettings,
): Promise<SavedTokens | undefined> {
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
  if (!issuerMatches(claims, settings) || claims.aud !== settings.clientId || !userMatches) return undefined;
  const accessToken = getVariable(environment, ACCESS_TOKEN) || undefined;
  const refreshToken = getVariable(environment, REFRESH_TOKEN) || undefined;
  return {
    idToken,
    claims,
    ...(accessToken === undefined ? {} : { accessToken }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
  };
}

/**
 * Reused only with everything the clauses need (a reused token without its access token
 * silently skipped the access-token clause): the ID token and the access token, each with more than
 * MIN_REMAINING_SECONDS left.
 */
function isReusable(saved: SavedTokens, now: Date): saved is SavedTokens & { readonly accessToken: string } {
  const nowSeconds = now.getTime() / 1000;
  if (!isFresh(saved.claims.exp, nowSeconds) || saved.accessToken === undefined) return false;
  let accessExp: unknown;
  try {
    accessExp = readUnverifiedToken(saved.accessToken).payload.exp;
  } catch {
    return false;
  }
  return typeof accessExp === 'number' && isFresh(accessExp, nowSeconds);
}

/**
 * A refresh Cognito refuses (expired or revoked refresh token, the flow switched off, a wrong secret)
 * falls back to the password; only a failure the password sign-in would meet as well (unreachable,
 * too slow) is thrown.
 */
async function refreshIfPossible(refresh: () => Promise<SignInTokens>): Promise<SignInTokens | undefined> {
  try {
    return await refresh();
  } catch (error) {
    const diagnosis = diagnosisOf(error);
    if (diagnosis === 'unreachable' || diagnosis === 'timeout') throw error;
    return undefined;
  }
}

/** Sets each variable in place (added when the template lacks it). */
function setVariables(
  environment: PostmanEnvironment,
  values: readonly (readonly [string, string, 'default' | 'secret'])[],
): void {
  const list = environment.values;
  for (const [key, value, type] of values) {
    const at = list.findIndex((entry) => entry.key === key);
    const entry = { key, value, type, enabled: true };
    if (at === -1) list.push(entry);
    else list[at] = entry;
  }
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
    const message = `Cannot write the Postman environment to ${displayPath(path)} (${code}): ${fix}.`;
    // A path the user gave (--out) is a usage mistake (exit 2); the default place failing is not.
    throw isDefaultPath
      ? new SignInError('output-unwritable', message, { cause: error })
      : new ConfigurationError('output-unwritable', message, { cause: error });
  }
}

/** Relative to the working directory when inside it, which is how users typed it. */
export function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd !== '' && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : path;
}
