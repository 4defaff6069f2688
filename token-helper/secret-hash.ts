/**
 * SECRET_HASH, which Cognito requires on every sign-in call when the app client has a secret:
 * Base64(HMAC-SHA256(key = client secret, message = username + client id)).
 *
 * The username is the one Cognito knows the user by; after a challenge that is USER_ID_FOR_SRP,
 * which differs from what was typed when the user signed in with an alias such as an e-mail address.
 */
import { createHmac } from 'node:crypto';

export function computeSecretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(`${username}${clientId}`, 'utf8').digest('base64');
}

/** The SECRET_HASH auth parameter when the client has a secret, and nothing when it has none. */
export function secretHashParameter(
  username: string,
  clientId: string,
  clientSecret: string | undefined,
): { SECRET_HASH?: string } {
  return clientSecret === undefined
    ? {}
    : { SECRET_HASH: computeSecretHash(username, clientId, clientSecret) };
}
