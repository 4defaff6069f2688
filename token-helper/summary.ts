/**
 * What the helper prints: who signed in and until when, never a token, password or signature.
 * Claims are not secret (they are base64 in every request), so `--decode` shows them in full.
 */
import { describeUsedFlow } from './auth-flow.ts';
import type { IdTokenClaims, UnverifiedToken } from './jwt-claims.ts';
import { displayPath, MIN_REMAINING_SECONDS, type TokenResult } from './obtain-token.ts';

export function formatSummary(result: TokenResult, now: Date = new Date()): string {
  const { claims } = result;
  const headline = result.reused
    ? `Reused the saved ID token (more than ${MIN_REMAINING_SECONDS / 60} min left, no Cognito call; --force signs in again).`
    : result.flow === 'refresh'
      ? 'Refreshed the tokens through Cognito with the saved refresh token (no password sent).'
      : 'Signed in through Cognito and got a fresh ID token.';
  const rows: [string, string][] = [
    ['flow', describeUsedFlow(result.flow)],
    ['cognito:username', claims.username],
    ['sub', claims.sub],
    ['issuer', claims.iss],
    ['audience', claims.aud],
    ['expires', describeExpiry(claims.exp, now)],
    ['file', result.path === undefined ? '(not written)' : displayPath(result.path)],
    ...(result.scopedToken
      ? ([
          [
            'scoped token',
            `${result.scopedToken.scopes.join(' ')} (client_credentials), ${describeExpiry(result.scopedToken.expiresAt, now)}`,
          ],
        ] as [string, string][])
      : []),
  ];
  const lines = [headline, ...rows.map(([name, value]) => `  ${name.padEnd(17)}${value}`)];
  if (result.passwordChanged) {
    lines.push(
      '  note             The password is now CONTRACT_NEW_PASSWORD: move that value to CONTRACT_PASSWORD.',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatDecoded(
  decoded: UnverifiedToken,
  claims: IdTokenClaims | undefined,
  path: string,
  now: Date = new Date(),
): string {
  const lines = [
    `ID token in ${displayPath(path)}, decoded locally (nothing was sent anywhere; the signature is ${decoded.signed ? 'present but neither shown nor verified' : 'MISSING'}).`,
    'Header:',
    JSON.stringify(decoded.header, null, 2),
    'Claims:',
    JSON.stringify(decoded.payload, null, 2),
  ];
  const exp = decoded.payload.exp;
  if (typeof exp === 'number') lines.push(`Expires: ${describeExpiry(exp, now)}`);
  if (claims === undefined)
    lines.push(
      'Note: this is not a Cognito ID token the helper can use (no token_use "id" or missing claims).',
    );
  return `${lines.join('\n')}\n`;
}

export function describeExpiry(exp: number, now: Date): string {
  const when = new Date(exp * 1000).toISOString().replace('.000Z', 'Z');
  const minutes = Math.round((exp * 1000 - now.getTime()) / 60_000);
  if (minutes > 0) return `${when} (in ${minutes} min)`;
  if (minutes === 0) return `${when} (now)`;
  return `${when} (expired ${-minutes} min ago)`;
}
