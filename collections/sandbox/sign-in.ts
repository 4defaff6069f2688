/**
 * Collection-level sign-in: signInEnsureTokens(pm, done) makes sure `id_token` holds an ID token of the
 * environment's pool and app client, fresh (common/token-freshness.ts), with `access_token` beside it, and
 * calls done() once id_token, access_token and refresh_token are settled. It makes no call while the
 * tokens are good; otherwise it uses the saved refresh token (REFRESH_TOKEN_AUTH), and only then the
 * password, through Cognito's public InitiateAuth with the flow `auth_flow` names: `srp` (the default,
 * USER_SRP_AUTH: what a console-created app client allows, and the password never leaves the app) or
 * `password` (USER_PASSWORD_AUTH). It runs in the Postman sandbox (app and Newman alike): pm.*,
 * require('crypto-js') and BigInt, nothing from Node. It never logs a token, a password or a secret:
 * Newman's --verbose and the app's console keep logs.
 *
 * Shared with `npm run token`, so the two cannot drift apart: the failure codes, Cognito's error rules
 * and their hints (token-helper/diagnosis.ts), the SRP arithmetic (common/cognito-srp-core.ts, checked
 * against AWS's own client there) and the JWT decoding rule (common/jwt-parts.ts).
 */
import { clientPublic, cognitoSrp, poolNameOf } from '../../common/cognito-srp-core.ts';
import type { JsonObject } from '../../common/jwt-parts.ts';
import { isRecord } from '../../common/records.ts';
import { FRESH_FOR_SECONDS, isFresh } from '../../common/token-freshness.ts';
import { classifyCognitoError, DIAGNOSES, type Diagnosis } from '../../token-helper/diagnosis.ts';
import { hashBytes, hkdfBytes, hmacBytes, randomBytes } from './crypto-js.ts';
import { readJwt } from './jwt.ts';
import type { Pm } from './postman.ts';
import { base64, concat, fromBase64, fromHex, hex, utf8 } from './sandbox-crypto.ts';

// Run-local memory of a refused sign-in (pm.variables lasts for one run and is never saved), so that a
// wrong password costs one Cognito call per run instead of one per request.
const SIGN_IN_FAILURE = 'sign_in_failure';
const SIGN_IN_FLAGS: Readonly<Record<string, string>> = {
  srp: 'ALLOW_USER_SRP_AUTH',
  password: 'ALLOW_USER_PASSWORD_AUTH',
  refresh: 'ALLOW_REFRESH_TOKEN_AUTH',
};

// Cognito's SRP on the sandbox's primitives (the local stack's server runs the same rule on node:crypto,
// and both are checked against AWS's client in tests/unit/common/cognito-srp.test.ts).
const srp = cognitoSrp({
  sha256: (data) => hashBytes('SHA-256', data),
  hmacSha256: (key, data) => hmacBytes('SHA-256', key, data),
  hkdfSha256: (ikm, salt, info, length) => hkdfBytes('SHA-256', ikm, salt, info, length),
  bytesFromHex: fromHex,
  hexOf: hex,
  utf8,
  bytesFromBase64: fromBase64,
  base64Of: (data) => base64(data),
  concat,
});

interface SrpStart {
  readonly a: bigint;
  readonly A: bigint;
  /** A in hex, for InitiateAuth's AuthParameters.SRP_A. */
  readonly srpA: string;
}

function signInSrpStart(): SrpStart {
  // 256 random bits, as RFC 5054 asks at least; AWS's SDKs draw 1024, which costs this slow sandbox
  // four times the arithmetic for no gain a test run needs.
  const a = BigInt(`0x${hex(randomBytes(32))}`);
  const A = clientPublic(a);
  return { a, A, srpA: A.toString(16) };
}

interface SignInSettings {
  readonly endpoint: string;
  readonly poolId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
  readonly flow: string;
}

interface SignInFailure {
  readonly diagnosis: Diagnosis;
  /** The sentence the failing test shows, ending with the diagnosis code. */
  readonly message: string;
}

// --- helpers ---
export function signInSetting(pm: Pm, name: string): string {
  const value = pm.variables.get(name);
  return typeof value === 'string' ? pm.variables.replaceIn(value).trim() : '';
}

/** A secret as typed, `{{references}}` and spaces included: a password may contain either. */
export function signInSecret(pm: Pm, name: string): string {
  const value = pm.variables.get(name);
  return value ? String(value) : '';
}

function signInJwtPayload(token: unknown): JsonObject | undefined {
  return readJwt(token)?.payload;
}

function signInSecretHash(username: string, settings: SignInSettings): string {
  // SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)).
  return base64(hmacBytes('SHA-256', utf8(settings.clientSecret), utf8(username + settings.clientId)));
}

function signInDiagnose(type: string, message: string, settings: SignInSettings): Diagnosis {
  return (
    classifyCognitoError(type, message, { secretConfigured: settings.clientSecret !== '' }) ??
    'unknown-cognito-error'
  );
}

function signInFailure(diagnosis: Diagnosis, text: string, flow: string): SignInFailure {
  const hint = DIAGNOSES[diagnosis].replace('{flag}', SIGN_IN_FLAGS[flow] || '');
  return { diagnosis, message: `${text}${hint ? ` ${hint}` : ''} [diagnosis: ${diagnosis}]` };
}

// A failed sign-in fails a test named for it, so every report shows the reason next to each request.
function signInReport(pm: Pm, failure: Pick<SignInFailure, 'message'>): void {
  pm.test('Sign-in to Cognito succeeded', () => {
    throw new Error(failure.message);
  });
}

type CallResult =
  | { readonly failure: SignInFailure; readonly answer?: undefined }
  | { readonly failure?: undefined; readonly answer: JsonObject };

// One Cognito call; `callback` gets either the failure or Cognito's answer.
function signInCall(
  pm: Pm,
  settings: SignInSettings,
  operation: string,
  flow: string,
  body: JsonObject,
  callback: (result: CallResult) => void,
): void {
  pm.sendRequest(
    {
      url: settings.endpoint,
      method: 'POST',
      header: [
        { key: 'X-Amz-Target', value: `AWSCognitoIdentityProviderService.${operation}` },
        { key: 'Content-Type', value: 'application/x-amz-json-1.1' },
      ],
      body: { mode: 'raw', raw: JSON.stringify(body) },
    },
    (error, response) => {
      if (error || !response) {
        const reason = isRecord(error) && (error.code || error.message) ? error.code || error.message : error;
        callback({
          failure: signInFailure(
            'unreachable',
            `Could not reach Cognito at ${settings.endpoint} (${String(reason)}).`,
            flow,
          ),
        });
        return;
      }
      let answer: unknown;
      try {
        answer = response.json();
      } catch {
        answer = undefined;
      }
      if (!isRecord(answer)) {
        callback({
          failure: signInFailure(
            'unexpected-answer',
            `Cognito at ${settings.endpoint} answered HTTP ${response.code} with a body that is not JSON.`,
            flow,
          ),
        });
        return;
      }
      if (response.code !== 200) {
        const type = String(answer.__type || answer.code || 'UnknownError').replace(/^.*#(?=[A-Z])/, '');
        const text = String(answer.message || answer.Message || '').replace(/\.$/, '');
        const fullType = String(answer.__type || '');
        const diagnosis = signInDiagnose(
          fullType.startsWith('CognitoLocal#') ? fullType : type,
          text,
          settings,
        );
        callback({
          failure: signInFailure(
            diagnosis,
            `Cognito refused the ${flow} sign-in: ${type}: ${text || '(no message)'}.`,
            flow,
          ),
        });
        return;
      }
      callback({ answer });
    },
  );
}

// --- whether an ID token is one to use ---
/** The environment's pool and app client, which an ID token must belong to. */
export interface TokenOwner {
  readonly poolId: string;
  readonly clientId: string;
}

/** Why the token is not of the environment's pool (its iss ends with /<poolId>) and app client (aud). */
function ownerProblems(payload: JsonObject, owner: TokenOwner): string[] {
  const problems: string[] = [];
  if (owner.poolId && !String(payload.iss || '').endsWith(`/${owner.poolId}`)) {
    problems.push(`its ID token was issued by ${String(payload.iss)}, not by the pool ${owner.poolId}`);
  }
  if (owner.clientId && payload.aud !== owner.clientId) {
    problems.push(`its ID token is for app client ${String(payload.aud)}, not ${owner.clientId}`);
  }
  return problems;
}

/**
 * Why an ID token cannot be used for this environment, empty when it can: another pool or app client,
 * or an expiry (the token's own exp, not id_token_exp, which is for people to read) that is missing or
 * not fresh (common/token-freshness.ts). The one rule for the sign-in (keep the token or replace it) and
 * for the environment check in ./contract-lib.ts (report a token the sign-in did not replace).
 */
export function idTokenProblems(payload: JsonObject, owner: TokenOwner, nowSeconds: number): string[] {
  const problems = ownerProblems(payload, owner);
  const exp = payload.exp;
  if (typeof exp !== 'number') {
    problems.push('its ID token has no expiry (exp)');
  } else if (!isFresh(exp, nowSeconds)) {
    const when = new Date(exp * 1000).toISOString();
    problems.push(
      exp <= nowSeconds
        ? `its ID token expired at ${when}`
        : `its ID token expires at ${when}, within ${FRESH_FOR_SECONDS / 60} minutes`,
    );
  }
  return problems;
}

// --- the entry point ---
export function signInEnsureTokens(pm: Pm, done: () => void): void {
  const now = Math.floor(Date.now() / 1000);
  const region = signInSetting(pm, 'aws_region');
  const settings: SignInSettings = {
    endpoint:
      signInSetting(pm, 'cognito_endpoint') || (region ? `https://cognito-idp.${region}.amazonaws.com/` : ''),
    poolId: signInSetting(pm, 'cognito_user_pool_id'),
    clientId: signInSetting(pm, 'cognito_client_id'),
    clientSecret: signInSecret(pm, 'cognito_client_secret'),
    username: signInSetting(pm, 'username'),
    password: signInSecret(pm, 'password'),
    flow: signInSetting(pm, 'auth_flow') || 'srp',
  };
  // A token of another pool or app client (an environment kept across a stack restart or a stage
  // change) is treated as no token: every clause would otherwise fail with 401 and blame the API.
  const belongs = (payload: JsonObject): boolean => ownerProblems(payload, settings).length === 0;
  const current = signInJwtPayload(pm.variables.get('id_token'));
  const usable = (payload: JsonObject | undefined): payload is JsonObject & { readonly exp: number } =>
    payload !== undefined && belongs(payload) && typeof payload.exp === 'number';
  if (current === undefined && pm.variables.get('id_token')) {
    done(); // A token we cannot read (pasted by hand?): let the clauses judge it.
    return;
  }
  if (current && idTokenProblems(current, settings, now).length === 0 && pm.variables.get('access_token')) {
    done();
    return;
  }

  const memoKey = [
    settings.endpoint,
    settings.poolId,
    settings.clientId,
    settings.username,
    settings.flow,
  ].join('|');
  let memo: unknown;
  try {
    memo = JSON.parse(signInSecret(pm, SIGN_IN_FAILURE) || 'null');
  } catch {
    memo = null;
  }
  if (isRecord(memo) && memo.key === memoKey && typeof memo.message === 'string') {
    signInReport(pm, { message: memo.message });
    done();
    return;
  }
  const fail = (failure: SignInFailure): void => {
    pm.variables.set(
      SIGN_IN_FAILURE,
      JSON.stringify({ key: memoKey, diagnosis: failure.diagnosis, message: failure.message }),
    );
    signInReport(pm, failure);
    done();
  };
  const store = (authenticationResult: unknown, flow: string, refreshToken?: string): void => {
    const result = isRecord(authenticationResult) ? authenticationResult : {};
    const idToken = result.IdToken;
    const payload = signInJwtPayload(idToken);
    if (typeof idToken !== 'string' || payload === undefined || typeof payload.exp !== 'number') {
      fail(
        signInFailure(
          'unexpected-answer',
          'Cognito answered 200 without a readable IdToken in AuthenticationResult.',
          flow,
        ),
      );
      return;
    }
    if (!belongs(payload)) {
      fail(
        signInFailure(
          'token-mismatch',
          `Cognito issued a token of ${String(payload.iss)} for app client ${String(payload.aud)}, not of pool ${settings.poolId} for ${settings.clientId}.`,
          flow,
        ),
      );
      return;
    }
    pm.environment.set('id_token', idToken);
    pm.environment.set('id_token_exp', String(payload.exp));
    if (typeof result.AccessToken === 'string' && result.AccessToken) {
      pm.environment.set('access_token', result.AccessToken);
    }
    // A refresh returns no new refresh token (unless rotation is on): keep the one that worked.
    const newRefreshToken = typeof result.RefreshToken === 'string' ? result.RefreshToken : '';
    if (newRefreshToken || refreshToken)
      pm.environment.set('refresh_token', newRefreshToken || refreshToken || '');
    done();
  };

  if (settings.flow !== 'srp' && settings.flow !== 'password') {
    signInReport(
      pm,
      signInFailure(
        'configuration-invalid',
        `auth_flow is "${settings.flow}": use srp (the default) or password.`,
        'srp',
      ),
    );
    done();
    return;
  }
  const missing = [
    ['cognito_endpoint (or aws_region)', settings.endpoint],
    ['cognito_client_id', settings.clientId],
    ['username', settings.username],
    ['password', settings.password],
    ...(settings.flow === 'srp' ? [['cognito_user_pool_id (auth_flow srp needs it)', settings.poolId]] : []),
  ]
    .filter((entry) => !entry[1])
    .map((entry) => entry[0]);

  const passwordSignIn = (): void => {
    if (missing.length > 0) {
      // A token that still works for a few seconds is better than a failure: only an unusable one fails.
      if (usable(current) && current.exp > now) {
        done();
        return;
      }
      signInReport(
        pm,
        signInFailure(
          'settings-missing',
          `id_token is ${current ? 'about to expire or of another pool' : 'empty'} and no sign-in is possible. Missing in the environment: ${missing.join(', ')}.`,
          settings.flow,
        ),
      );
      done();
      return;
    }
    const secretHash = (name: string): { SECRET_HASH?: string } =>
      settings.clientSecret ? { SECRET_HASH: signInSecretHash(name, settings) } : {};
    const afterSignIn = (answer: JsonObject): void => {
      if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        fail(
          signInFailure(
            'new-password-required',
            `Cognito asks user "${settings.username}" for a new password (NEW_PASSWORD_REQUIRED: an administrator created the user).`,
            settings.flow,
          ),
        );
      } else if (answer.ChallengeName) {
        fail(
          signInFailure(
            'unsupported-challenge',
            `Cognito answered with the challenge ${String(answer.ChallengeName)}, which this collection cannot answer.`,
            settings.flow,
          ),
        );
      } else {
        store(answer.AuthenticationResult, settings.flow);
      }
    };
    if (settings.flow === 'password') {
      signInCall(
        pm,
        settings,
        'InitiateAuth',
        'password',
        {
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: settings.clientId,
          AuthParameters: {
            USERNAME: settings.username,
            PASSWORD: settings.password,
            ...secretHash(settings.username),
          },
        },
        (result) => (result.failure ? fail(result.failure) : afterSignIn(result.answer)),
      );
      return;
    }
    let poolName: string;
    try {
      poolName = poolNameOf(settings.poolId);
    } catch {
      signInReport(
        pm,
        signInFailure(
          'configuration-invalid',
          `cognito_user_pool_id is "${settings.poolId}", which is not a user pool id: copy it from the console (User pools, e.g. us-east-1_AbC123).`,
          'srp',
        ),
      );
      done();
      return;
    }
    const start = signInSrpStart();
    signInCall(
      pm,
      settings,
      'InitiateAuth',
      'srp',
      {
        AuthFlow: 'USER_SRP_AUTH',
        ClientId: settings.clientId,
        AuthParameters: { USERNAME: settings.username, SRP_A: start.srpA, ...secretHash(settings.username) },
      },
      (result) => {
        if (result.failure) {
          fail(result.failure);
          return;
        }
        const challenge = result.answer;
        if (challenge.ChallengeName !== 'PASSWORD_VERIFIER') {
          afterSignIn(challenge);
          return;
        }
        const { answer: responses, refused } = srp.answerChallenge({
          a: start.a,
          A: start.A,
          poolName,
          parameters: challenge.ChallengeParameters,
          password: settings.password,
          now: new Date(),
        });
        if (responses === undefined) {
          fail(
            signInFailure('unexpected-answer', `Cognito's answer cannot be used for SRP: ${refused}.`, 'srp'),
          );
          return;
        }
        signInCall(
          pm,
          settings,
          'RespondToAuthChallenge',
          'srp',
          {
            ChallengeName: 'PASSWORD_VERIFIER',
            ClientId: settings.clientId,
            ...(challenge.Session ? { Session: challenge.Session } : {}),
            // After the challenge Cognito knows the user by USER_ID_FOR_SRP; SECRET_HASH must use it.
            ChallengeResponses: { ...responses, ...secretHash(responses.USERNAME) },
          },
          (verified) => (verified.failure ? fail(verified.failure) : afterSignIn(verified.answer)),
        );
      },
    );
  };

  const refreshToken = signInSecret(pm, 'refresh_token');
  if (!refreshToken || !usable(current) || !settings.endpoint || !settings.clientId) {
    passwordSignIn();
    return;
  }
  signInCall(
    pm,
    settings,
    'InitiateAuth',
    'refresh',
    {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: settings.clientId,
      // For a refresh Cognito hashes the secret with the username it assigned, not an alias.
      AuthParameters: {
        REFRESH_TOKEN: refreshToken,
        ...(settings.clientSecret
          ? { SECRET_HASH: signInSecretHash(String(current['cognito:username'] || ''), settings) }
          : {}),
      },
    },
    (result) => {
      if (result.failure && result.failure.diagnosis === 'unreachable') fail(result.failure);
      // A refused refresh token (expired, revoked, flow off): the password still works.
      else if (result.failure || !result.answer.AuthenticationResult) passwordSignIn();
      else store(result.answer.AuthenticationResult, 'refresh', refreshToken);
    },
  );
}
