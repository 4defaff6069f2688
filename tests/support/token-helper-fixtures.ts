/**
 * Fixtures for the token helper's tests: settings, Cognito-shaped ID tokens (claims as docs/reference.md §4
 * lists them; the signature is filler because nothing in the helper verifies it), a template, and a
 * temporary directory per test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenSettings } from '../../token-helper/config.ts';

export const NOW = new Date('2026-03-01T12:00:00Z');
export const NOW_SECONDS = NOW.getTime() / 1000;

/** Pinned to the admin password flow, the one these fixtures' mocked answers script; flow tests override it. */
export const AWS_SETTINGS: TokenSettings = {
  target: 'aws',
  authFlow: 'admin-password',
  apiUrl: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev',
  region: 'us-east-1',
  userPoolId: 'us-east-1_AbCdEf123',
  clientId: '4gp8i9qbc1ebh2e3r0d5vnbu1k',
  username: 'contract-tester',
  password: 'Pa55word!-never-printed',
};

export const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${AWS_SETTINGS.userPoolId}`;

function part(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export interface TokenOverrides {
  readonly [claim: string]: unknown;
}

/** An ID token with Cognito's claims, expiring `lifetimeSeconds` after NOW unless `exp` is overridden. */
export function idToken(overrides: TokenOverrides = {}, lifetimeSeconds = 3600): string {
  const payload = {
    sub: 'a1b2c3d4-0000-4000-8000-000000000001',
    email_verified: true,
    iss: ISSUER,
    'cognito:username': AWS_SETTINGS.username,
    origin_jti: randomUUID(),
    aud: AWS_SETTINGS.clientId,
    event_id: randomUUID(),
    token_use: 'id',
    auth_time: NOW_SECONDS,
    exp: NOW_SECONDS + lifetimeSeconds,
    iat: NOW_SECONDS,
    jti: randomUUID(),
    email: 'contract-tester@example.com',
    ...overrides,
  };
  return `${part({ kid: 'test-kid', alg: 'RS256' })}.${part(payload)}.${Buffer.from(`signature-${randomUUID()}`).toString('base64url')}`;
}

/** An access token with the claims the helper reads (token_use, client_id, exp), expiring with the ID token. */
export function accessToken(lifetimeSeconds = 3600, nowSeconds = NOW_SECONDS): string {
  return `${part({ kid: 'test-kid', alg: 'RS256' })}.${part({ token_use: 'access', client_id: AWS_SETTINGS.clientId, username: AWS_SETTINGS.username, exp: nowSeconds + lifetimeSeconds })}.c2ln`;
}

export const TEMPLATE = {
  id: '7c2e9a41-5d0b-4b6e-8f3a-2e9d1c4b7a02',
  name: 'hello-api test',
  values: [
    { key: 'baseUrl', value: '', type: 'default', enabled: true },
    { key: 'cognito_endpoint', value: '', type: 'default', enabled: true },
    { key: 'aws_region', value: '', type: 'default', enabled: true },
    { key: 'cognito_client_id', value: '', type: 'default', enabled: true },
    { key: 'username', value: '', type: 'default', enabled: true },
    { key: 'id_token', value: '', type: 'secret', enabled: true },
    { key: 'id_token_exp', value: '', type: 'default', enabled: true },
    { key: 'max_response_ms', value: '10000', type: 'default', enabled: true },
    { key: 'attack_access_token', value: '', type: 'secret', enabled: true },
  ],
  _postman_variable_scope: 'environment',
};

export interface Workspace {
  readonly dir: string;
  readonly template: string;
  readonly out: string;
  remove(): Promise<void>;
}

/** A temporary directory holding a template; `out` is where the environment will be written. */
export async function workspace(template: unknown = TEMPLATE): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'token-helper-test-'));
  const templatePath = join(dir, 'template.postman_environment.json');
  await writeFile(templatePath, typeof template === 'string' ? template : JSON.stringify(template, null, 2));
  return {
    dir,
    template: templatePath,
    out: join(dir, 'out.postman_environment.json'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
