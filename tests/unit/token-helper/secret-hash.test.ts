import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeSecretHash } from '../../../token-helper/secret-hash.ts';

// Vectors computed outside Node, with:
//   printf '%s' "$USERNAME$CLIENT_ID" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
test('SECRET_HASH is Base64(HMAC-SHA256(secret, username + client id)), matching an openssl vector', () => {
  assert.equal(
    computeSecretHash(
      'contract-tester',
      '4gp8i9qbc1ebh2e3r0d5vnbu1k',
      'c0ntr4ctS3cr3tV4lu3F0rT3st1ngOnly1234567890abcdefgh',
    ),
    'RF8Wx0kZzrDjecPH7RQ2uiGeAiN1RJNA3VDCsXN2Vfw=',
  );
  assert.equal(
    computeSecretHash('user@example.com', '7abc', 'k'),
    'Dqu6vJomof6Xwjg3S7YB3vHh8hlYvoa7e1gpYTyxeq8=',
  );
});

test('the username comes before the client id in the HMAC message', () => {
  assert.notEqual(
    computeSecretHash('7abc', 'user@example.com', 'k'),
    computeSecretHash('user@example.com', '7abc', 'k'),
  );
});
