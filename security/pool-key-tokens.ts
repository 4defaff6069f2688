/**
 * The catalogue's `pool-key` rows (security/catalogue.ts): tokens that differ from a genuine one in
 * exactly one claim and carry a genuine signature, which only the pool's own private key can make. Only
 * the local emulator's key is knowable (it ships inside cognito-local), so these are minted for local runs
 * only; elsewhere their clauses are skipped with that reason. They travel to the collection as one secret
 * environment variable, `pool_key_tokens`, with the issuer and expiry they were made for, so the
 * collection can tell a stale environment from a broken API.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto';
import { decodeJwt, type JsonObject, signRs256 } from '../common/jwt.ts';
import type { AttackIdBuiltBy } from './catalogue.ts';

/**
 * How long the tokens live: longer than Cognito's default hour (but within the day Cognito allows), so a
 * QA session in the Postman app is not cut short; the expired row sets its own exp.
 */
const POOL_KEY_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

type Transform = (payload: JsonObject, now: number) => JsonObject;

function without(payload: JsonObject, claim: string): JsonObject {
  const copy: Record<string, unknown> = { ...payload };
  delete copy[claim];
  return copy;
}

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

/**
 * One transform per pool-key row, keyed by the catalogue's pool-key row ids: a row without its transform
 * is a type error (and a unit test checks the keys at run time too).
 */
export const POOL_KEY_BUILDERS: Readonly<Record<AttackIdBuiltBy<'pool-key'>, Transform>> = {
  expired: (p, now) => ({ ...p, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 }),
  'issuer-other-pool': (p) => ({ ...p, iss: `${String(p.iss).replace(/\/[^/]+$/, '')}/attacker-pool` }),
  'issuer-suffix': (p) => ({ ...p, iss: `${String(p.iss)}x` }),
  'issuer-prefix': (p) => ({ ...p, iss: `https://attacker.example/${String(p.iss)}` }),
  'issuer-case': (p) => {
    const iss = String(p.iss);
    const cut = iss.lastIndexOf('/') + 1;
    return { ...p, iss: `${iss.slice(0, cut)}${swapCase(iss.slice(cut))}` };
  },
  'iss-array': (p) => ({ ...p, iss: [p.iss] }),
  'iss-array-attacker-first': (p) => ({ ...p, iss: ['https://attacker.example', p.iss] }),
  'token-use-case': (p) => ({ ...p, token_use: String(p.token_use).toUpperCase() }),
  'token-use-missing': (p) => without(p, 'token_use'),
  'exp-missing': (p) => without(p, 'exp'),
  'exp-string': (p) => ({ ...p, exp: String(p.exp) }),
};

/** An access token carrying a scope no method asks for: what a scoped method must refuse. */
const SCOPE_STRIPPED = 'scope-stripped';
const NO_SCOPE = 'contract.invalid/none';
/**
 * An access token whose every scope is wrapped in a longer one (`admin` → `xadmin2`): a scope matched
 * as a substring passes it; the method's own scope appears in it only inside another word.
 */
const SCOPE_SUPERSTRING = 'scope-superstring';
const superstrings = (scope: unknown): string =>
  String(scope ?? '')
    .split(' ')
    .filter((entry) => entry !== '')
    .map((entry) => `x${entry}2`)
    .join(' ');

export interface PoolKeyTokens {
  /** The issuer of the live tokens they were made from: another issuer means a stale environment. */
  readonly issuer: string;
  /** Epoch seconds after which they are stale. */
  readonly expiresAt: number;
  readonly tokens: {
    readonly id: Readonly<Record<string, string>>;
    readonly access?: Readonly<Record<string, string>>;
  };
}

export interface PoolKeyInput {
  readonly idToken: string;
  /** Given: the rows are also minted from the access token (for scoped methods), with `scope-stripped`. */
  readonly accessToken?: string;
  /** The pool's private key: the emulator's (local-stack/cognito/emulator-key.ts). */
  readonly poolPrivateKey: KeyObject | JsonWebKey;
  /** The pool's public JWKS: the private key must belong to the key the live token names. */
  readonly poolJwks: unknown;
  readonly nowSeconds?: number;
}

export class PoolKeyError extends Error {
  override readonly name = 'PoolKeyError';
}

function toKey(key: KeyObject | JsonWebKey): KeyObject {
  return key instanceof KeyObject ? key : createPrivateKey({ key, format: 'jwk' });
}

function assertMatchesJwks(privateKey: KeyObject, jwks: unknown, kid: string | undefined): void {
  const keys = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
  const entry = Array.isArray(keys)
    ? (keys as unknown[]).find(
        (key) => typeof key === 'object' && key !== null && (key as { kid?: unknown }).kid === kid,
      )
    : undefined;
  const derived = createPublicKey(privateKey).export({ format: 'jwk' });
  if (entry === undefined || (entry as { n?: unknown }).n !== derived.n) {
    throw new PoolKeyError(
      `The pool's JWKS has no key "${kid}" matching the private key: tokens signed with it would carry a second defect. Expected: the emulator's own signing key`,
    );
  }
}

function mintFrom(
  token: string,
  key: KeyObject,
  now: number,
  extra: Readonly<Record<string, Transform>>,
): Record<string, string> {
  const live = decodeJwt(token);
  const fresh: JsonObject = { ...live.payload, iat: now, exp: now + POOL_KEY_TOKEN_LIFETIME_SECONDS };
  const minted: Record<string, string> = {};
  for (const [row, transform] of Object.entries({ ...POOL_KEY_BUILDERS, ...extra })) {
    minted[row] = signRs256(live.header, transform(fresh, now), key);
  }
  return minted;
}

export function mintPoolKeyTokens(input: PoolKeyInput): PoolKeyTokens {
  const key = toKey(input.poolPrivateKey);
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const live = decodeJwt(input.idToken);
  const issuer = live.payload.iss;
  if (typeof issuer !== 'string')
    throw new PoolKeyError('The ID token has no "iss" claim. Expected: a Cognito ID token');
  assertMatchesJwks(key, input.poolJwks, live.header.kid);
  return {
    issuer,
    expiresAt: now + POOL_KEY_TOKEN_LIFETIME_SECONDS,
    tokens: {
      id: mintFrom(input.idToken, key, now, {}),
      ...(input.accessToken === undefined
        ? {}
        : {
            access: mintFrom(input.accessToken, key, now, {
              [SCOPE_STRIPPED]: (p) => ({ ...p, scope: NO_SCOPE }),
              [SCOPE_SUPERSTRING]: (p) => ({ ...p, scope: superstrings(p.scope) }),
            }),
          }),
    },
  };
}

/** Every token in the set, for the redactor. */
export function poolKeyTokenValues(tokens: PoolKeyTokens): string[] {
  return [...Object.values(tokens.tokens.id), ...Object.values(tokens.tokens.access ?? {})];
}
