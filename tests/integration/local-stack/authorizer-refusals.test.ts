/**
 * docs/reference.md §1: every token the Cognito user pool authorizer refuses, one defect per token, answered
 * with the exact 401 of API Gateway REST v1. Forged tokens are minted here at run time; "genuine" ones
 * come from the emulator through the real AWS SDK or are signed with the emulator's own key.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { adminSignIn, createOtherPool, type Tokens } from '../../support/cognito.ts';
import { assertGatewayError, assertGreeting, assertUnauthorized, BODIES } from '../../support/gateway.ts';
import { getWithAuthorization, send } from '../../support/http.ts';
import {
  base64urlJson,
  type DecodedJwt,
  decodeJwt,
  generateRsaKey,
  nowSeconds,
  publicKeyPem,
  signAsEmulator,
  signHs256,
  signRs256,
  unsigned,
} from '../../support/jwt.ts';
import { cognitoTarget, useStack } from '../../support/stack.ts';

describe('the Cognito user pool authorizer refuses', () => {
  const stack = useStack();
  let tokens: Tokens;
  let id: DecodedJwt;
  let poolKid: string;

  before(async () => {
    const { cognito, jwks } = stack.get();
    tokens = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password);
    id = decodeJwt(tokens.idToken);
    poolKid = String(jwks.keys[0]?.kid);
  });

  const hello = () => `${stack.get().apiUrl}/hello`;
  const authorize = (value: string) => getWithAuthorization(hello(), value);

  describe('a request without a usable Authorization header', () => {
    it('is refused with 401 Unauthorized when it has no Authorization header', async () => {
      assertUnauthorized(await send(hello()));
    });

    it('is refused with 401 Unauthorized when the Authorization header is empty', async () => {
      assertUnauthorized(await authorize(''));
    });

    it('is refused with 401 Unauthorized when the Authorization header is garbage', async () => {
      assertUnauthorized(await authorize('garbage'));
    });

    it('is refused with 401 Unauthorized when the token has two parts instead of three', async () => {
      const [header, payload] = tokens.idToken.split('.');
      assertUnauthorized(await authorize(`${header}.${payload}`));
    });

    it('is refused with 401 Unauthorized when the token has four parts', async () => {
      assertUnauthorized(await authorize(`${tokens.idToken}.${base64urlJson({})}`));
    });

    it('is refused with 401 Unauthorized when the header part is not JSON', async () => {
      const [, payload, signature] = tokens.idToken.split('.');
      const notJson = Buffer.from('{"alg":"RS256",', 'utf8').toString('base64url');
      assertUnauthorized(await authorize(`${notJson}.${payload}.${signature}`));
    });

    it('is refused with 401 Unauthorized when the payload part is not JSON', async () => {
      const notJson = Buffer.from('not json at all', 'utf8').toString('base64url');
      const token = signAsEmulator({}).split('.');
      assertUnauthorized(await authorize(`${token[0]}.${notJson}.${token[2]}`));
    });
  });

  describe('a token whose signature does not verify', () => {
    it('passes when minted with the emulator key and the genuine claims (control for the forgeries below)', async () => {
      assertGreeting(await authorize(signAsEmulator(id.payload)));
    });

    it('is refused with 401 Unauthorized when one payload claim was changed after signing', async () => {
      const [header, , signature] = tokens.idToken.split('.');
      const tampered = base64urlJson({ ...id.payload, 'cognito:username': 'someone-else' });
      assertUnauthorized(await authorize(`${header}.${tampered}.${signature}`));
    });

    it('is refused with 401 Unauthorized when the signature was stripped', async () => {
      const [header, payload] = tokens.idToken.split('.');
      assertUnauthorized(await authorize(`${header}.${payload}.`));
    });

    it('is refused with 401 Unauthorized when signed by another key under the pool kid', async () => {
      const { privateKey } = generateRsaKey();
      assertUnauthorized(await authorize(signRs256({ kid: poolKid, alg: 'RS256' }, id.payload, privateKey)));
    });

    it('is refused with 401 Unauthorized when signed by another key under a kid the pool does not have', async () => {
      const { privateKey } = generateRsaKey();
      const token = signRs256({ kid: 'attacker-key-1', alg: 'RS256' }, id.payload, privateKey);
      assertUnauthorized(await authorize(token));
    });
  });

  describe('a token with an algorithm other than RS256', () => {
    it('is refused with 401 Unauthorized when alg is none and the signature is empty', async () => {
      assertUnauthorized(await authorize(unsigned({ kid: poolKid, alg: 'none' }, id.payload)));
    });

    it("is refused with 401 Unauthorized when alg is HS256 keyed with the pool's public key PEM", async () => {
      const pem = publicKeyPem(stack.get().jwks);
      assertUnauthorized(await authorize(signHs256({ kid: poolKid, alg: 'HS256' }, id.payload, pem)));
    });
  });

  describe('a correctly signed token the pool did not issue as an ID token', () => {
    it('is refused with 401 Unauthorized when its issuer is not the local pool', async () => {
      const iss = `https://cognito-idp.us-east-1.amazonaws.com/${stack.get().cognito.userPoolId}`;
      assertUnauthorized(await authorize(signAsEmulator({ ...id.payload, iss })));
    });

    it('is refused with 401 Unauthorized when it is a genuine ID token of another user pool', async () => {
      const other = await createOtherPool(cognitoTarget(stack.get()), 'other-user', 'Other-pool-pw-1!');
      const otherTokens = await adminSignIn(other, 'other-user', 'Other-pool-pw-1!');
      assert.notEqual(decodeJwt(otherTokens.idToken).payload.iss, id.payload.iss);
      assertUnauthorized(await authorize(otherTokens.idToken));
    });

    it('is refused with 401 Unauthorized when it is the access token from a real sign-in', async () => {
      assert.equal(decodeJwt(tokens.accessToken).payload.token_use, 'access');
      assertUnauthorized(await authorize(tokens.accessToken));
    });

    it('is refused with 401 Unauthorized when it is an access token minted with the emulator key', async () => {
      const { payload } = id;
      const access = {
        sub: payload.sub,
        iss: payload.iss,
        client_id: payload.aud,
        origin_jti: payload.origin_jti,
        event_id: payload.event_id,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
        auth_time: payload.auth_time,
        exp: payload.exp,
        iat: payload.iat,
        jti: 'minted-access-token',
        username: payload['cognito:username'],
      };
      assertUnauthorized(await authorize(signAsEmulator(access)));
    });

    it('is refused with 401 Unauthorized when an otherwise genuine ID token says token_use access', async () => {
      assertUnauthorized(await authorize(signAsEmulator({ ...id.payload, token_use: 'access' })));
    });
  });

  describe('a genuinely signed ID token whose exp has passed', () => {
    it('is refused with 401 "The incoming token has expired" (44 bytes)', async () => {
      const now = nowSeconds();
      const expired = signAsEmulator({
        ...id.payload,
        auth_time: now - 7200,
        iat: now - 7200,
        exp: now - 3600,
      });
      const response = await authorize(expired);
      assertGatewayError(response, { status: 401, body: BODIES.expired, errorType: 'UnauthorizedException' });
      assert.equal(response.body.length, 44);
    });

    it('is refused as expired also when sent as Bearer <jwt>', async () => {
      const now = nowSeconds();
      const expired = signAsEmulator({ ...id.payload, iat: now - 7200, exp: now - 60 });
      const response = await authorize(`Bearer ${expired}`);
      assertGatewayError(response, { status: 401, body: BODIES.expired, errorType: 'UnauthorizedException' });
    });
  });
});
