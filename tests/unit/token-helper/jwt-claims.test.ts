import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeIdToken,
  readIdTokenClaims,
  readUnverifiedToken,
  TokenFormatError,
} from '../../../token-helper/jwt-claims.ts';
import { accessToken, idToken } from '../../support/token-helper-fixtures.ts';

test('decoding keeps header and payload and only records that a signature exists', () => {
  const decoded = readUnverifiedToken(idToken());
  assert.deepEqual(decoded.header, { kid: 'test-kid', alg: 'RS256' });
  assert.equal(decoded.payload.token_use, 'id');
  assert.equal(decoded.signed, true);
  assert.deepEqual(Object.keys(decoded).sort(), ['header', 'payload', 'signed']);
});

for (const [title, token, reason] of [
  ['two parts', 'a.b', /three dot-separated parts/],
  ['a payload that is not base64url', 'eyJhbGciOiJSUzI1NiJ9.a+b.c', /payload is not base64url/],
  ['a header that is not JSON', `${Buffer.from('nope').toString('base64url')}.e30.c`, /header is not JSON/],
  [
    'a payload that is a JSON array',
    `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('[1]').toString('base64url')}.c`,
    /payload is not a JSON object/,
  ],
  ['a header without alg', `e30.e30.c`, /header names no alg/],
] as const) {
  test(`a token with ${title} is refused`, () => {
    assert.throws(
      () => readUnverifiedToken(token),
      (error: unknown) => error instanceof TokenFormatError && reason.test(error.message),
    );
  });
}

test('an access token is not taken for an ID token', () => {
  assert.throws(() => decodeIdToken(accessToken()), /not an ID token \(token_use is "access"\)/);
});

test('an ID token without cognito:username or with a string exp is refused', () => {
  const { payload } = readUnverifiedToken(idToken());
  assert.throws(
    () => readIdTokenClaims({ ...payload, 'cognito:username': undefined }),
    /cognito:username claim is missing/,
  );
  assert.throws(() => readIdTokenClaims({ ...payload, exp: '1700000000' }), /exp claim is not a number/);
});
