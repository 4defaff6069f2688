import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  AttackTokenError,
  attackTokenEnvironmentValues,
  attackTokenNames,
  mintAttackTokens,
  poolPublicKeyPem,
} from '../../security/attack-tokens.ts';
import { type DecodedJwt, decodeJwt, encodeJsonPart, type JsonObject } from '../../security/jwt-shape.ts';
import { signRs256 } from '../support/jwt-fixtures.ts';

const NOW = 1_800_000_000;
const POOL_KID = 'pool-kid';
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool';

const pool = generateKeyPairSync('rsa', { modulusLength: 2048 });
const poolJwk = pool.publicKey.export({ format: 'jwk' });
const poolJwks = { keys: [{ ...poolJwk, kid: POOL_KID, alg: 'RS256', use: 'sig' }] };
const liveHeader = { kid: POOL_KID, alg: 'RS256' };
const liveClaims = {
  sub: '7d8e6f00-0000-4000-8000-000000000001',
  aud: 'client-id',
  email_verified: true,
  token_use: 'id',
  auth_time: NOW - 60,
  iss: ISSUER,
  'cognito:username': 'alice',
  exp: NOW + 3600,
  iat: NOW - 60,
  email: 'alice@example.com',
};
const idToken = signRs256(liveHeader, liveClaims, pool.privateKey);
const live = decodeJwt(idToken);

/** The names of header or payload members whose values differ: a token's defects, as data. */
function differences(a: JsonObject, b: JsonObject): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).sort();
}

function verifiesWith(token: DecodedJwt, key: KeyObject): boolean {
  return verify('sha256', Buffer.from(token.signingInput), key, token.signature);
}

describe('mintAttackTokens with the pool key (local target)', () => {
  const tokens = mintAttackTokens({
    idToken,
    poolJwks,
    accessToken: 'the-access-token',
    poolPrivateKey: pool.privateKey,
    nowSeconds: NOW,
  });

  it('returns a value for every attack variable the collection reads', () => {
    assert.deepEqual(Object.keys(tokens).sort(), [...attackTokenNames].sort());
    for (const name of attackTokenNames) assert.notEqual(tokens[name], '', name);
  });

  it('passes the access token through unchanged', () => {
    assert.equal(tokens.attack_access_token, 'the-access-token');
  });

  it('signs the RS256 token under the pool kid with another key, changing nothing else', () => {
    const token = decodeJwt(tokens.attack_rs256_pool_kid);
    assert.deepEqual(differences(token.header, live.header), []);
    assert.deepEqual(differences(token.payload, live.payload), []);
    assert.equal(verifiesWith(token, pool.publicKey), false);
  });

  it('signs the RS256 token under its own kid with another key, changing only the kid', () => {
    const token = decodeJwt(tokens.attack_rs256_own_kid);
    assert.deepEqual(differences(token.header, live.header), ['kid']);
    assert.deepEqual(differences(token.payload, live.payload), []);
    assert.equal(verifiesWith(token, pool.publicKey), false);
  });

  it("keys the HS256 token with the PEM of the pool's public key, changing only alg", () => {
    const token = decodeJwt(tokens.attack_hs256_pool_public_key);
    assert.deepEqual(differences(token.header, live.header), ['alg']);
    assert.equal(token.header.alg, 'HS256');
    assert.deepEqual(differences(token.payload, live.payload), []);
    const pem = pool.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const expected = createHmac('sha256', pem).update(token.signingInput).digest();
    assert.deepEqual(token.signature, expected);
  });

  it('signs the expired ID token genuinely with the pool key, with exp in the past', () => {
    const token = decodeJwt(tokens.attack_expired_id_token);
    assert.deepEqual(differences(token.header, live.header), []);
    // iat and auth_time move with exp so the token stays self-consistent: expiry is its one defect.
    assert.deepEqual(differences(token.payload, live.payload), ['auth_time', 'exp', 'iat']);
    assert.ok(Number(token.payload.exp) < NOW, 'exp is not in the past');
    assert.ok(Number(token.payload.iat) < Number(token.payload.exp));
    assert.equal(verifiesWith(token, pool.publicKey), true);
  });

  it('signs the other-issuer token genuinely with the pool key, changing only iss', () => {
    const token = decodeJwt(tokens.attack_other_issuer);
    assert.deepEqual(differences(token.header, live.header), []);
    assert.deepEqual(differences(token.payload, live.payload), ['iss']);
    assert.notEqual(token.payload.iss, ISSUER);
    assert.equal(verifiesWith(token, pool.publicKey), true);
  });

  it('reuses one attacker key per process', () => {
    const again = mintAttackTokens({ idToken, poolJwks, nowSeconds: NOW });
    assert.equal(
      decodeJwt(again.attack_rs256_own_kid).header.kid,
      decodeJwt(tokens.attack_rs256_own_kid).header.kid,
    );
  });
});

describe('mintAttackTokens without the pool key (AWS target)', () => {
  const tokens = mintAttackTokens({ idToken, poolJwks, nowSeconds: NOW });

  it('leaves the expired token and the access token empty so their clauses are skipped', () => {
    assert.equal(tokens.attack_expired_id_token, '');
    assert.equal(tokens.attack_access_token, '');
  });

  it('leaves the other-issuer token empty, since without the pool key it would carry a second defect', () => {
    assert.equal(tokens.attack_other_issuer, '');
  });
});

describe('mintAttackTokens refuses inputs that would give a token a second defect', () => {
  it('refuses a pool private key that does not match the JWKS key', () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    assert.throws(
      () => mintAttackTokens({ idToken, poolJwks, poolPrivateKey: stranger }),
      (error: unknown) =>
        error instanceof AttackTokenError && /does not match the JWKS key "pool-kid"/.test(error.message),
    );
  });

  it("refuses a JWKS without the ID token's kid", () => {
    assert.throws(
      () => mintAttackTokens({ idToken, poolJwks: { keys: [{ ...poolJwk, kid: 'other' }] } }),
      /no RSA key with kid "pool-kid"/,
    );
  });

  it('refuses a JWKS that is not a key set', () => {
    assert.throws(() => mintAttackTokens({ idToken, poolJwks: ['not', 'a', 'jwks'] }), /not a JSON object/);
    assert.throws(() => mintAttackTokens({ idToken, poolJwks: {} }), /no "keys" array/);
  });

  it('accepts the pool private key as PEM or JWK too', () => {
    const pem = pool.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwk = pool.privateKey.export({ format: 'jwk' });
    for (const poolPrivateKey of [pem, jwk]) {
      const token = decodeJwt(
        mintAttackTokens({ idToken, poolJwks, poolPrivateKey }).attack_expired_id_token,
      );
      assert.equal(verifiesWith(token, pool.publicKey), true);
    }
  });
});

describe('attackTokenEnvironmentValues', () => {
  it('declares every attack token as a secret Postman variable', () => {
    const values = attackTokenEnvironmentValues(mintAttackTokens({ idToken, poolJwks, nowSeconds: NOW }));
    assert.deepEqual(
      values.map((value) => [value.key, value.type]),
      attackTokenNames.map((name) => [name, 'secret']),
    );
  });
});

describe('poolPublicKeyPem', () => {
  it('renders the JWKS key as an SPKI PEM', () => {
    const pem = poolPublicKeyPem({ kty: 'RSA', kid: POOL_KID, n: String(poolJwk.n), e: String(poolJwk.e) });
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
  });
});

describe('decodeJwt', () => {
  it('returns header, payload, signature bytes and the signing input', () => {
    const decoded = decodeJwt(idToken);
    assert.deepEqual(decoded.header, liveHeader);
    assert.deepEqual(decoded.payload, liveClaims);
    assert.equal(decoded.signingInput, idToken.split('.').slice(0, 2).join('.'));
    assert.equal(verifiesWith(decoded, pool.publicKey), true);
  });

  it('names what is wrong with a malformed token', () => {
    const [h = '', p = ''] = idToken.split('.');
    const cases: [unknown, RegExp][] = [
      [42, /not a string/],
      [`${h}.${p}`, /has 2 part\(s\)/],
      [`${h}.${p}.s.x`, /has 4 part\(s\)/],
      [`.${p}.s`, /header is not base64url/],
      [`${h}.${Buffer.from('not json').toString('base64url')}.s`, /payload is not JSON/],
      [`${encodeJsonPart({ kid: 'k' })}.${p}.s`, /no "alg" string/],
      [`${encodeJsonPart({ alg: 'RS256', kid: 7 })}.${p}.s`, /"kid" is not a string/],
      [`${h}.${Buffer.from('[1]').toString('base64url')}.s`, /payload is not a JSON object/],
      [`${h}.${p}.not+base64`, /signature is not base64url/],
    ];
    for (const [token, message] of cases) assert.throws(() => decodeJwt(token), message, String(token));
  });
});
