// Pre-request helpers that derive a defective token from the live ID token inside the Postman sandbox, so
// these clauses also run in the Postman app. Each returns a token with exactly one defect and puts it in
// the local variable `attack_token`, which the request's Authorization header sends.
const forgeCryptoJs = require('crypto-js');

// JWTs use base64url without padding (RFC 7515 §2); CryptoJS speaks standard base64, so translate here.
function forgeDecodePart(part) {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '==='.slice((base64.length + 3) % 4);
  return JSON.parse(forgeCryptoJs.enc.Base64.parse(padded).toString(forgeCryptoJs.enc.Utf8));
}

function forgeEncodePart(value) {
  return forgeCryptoJs.enc.Base64.stringify(forgeCryptoJs.enc.Utf8.parse(JSON.stringify(value)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const forge = {
  garbage: () => 'this-is-not-a-jwt',
  // Header and payload intact, signature part gone with its dot.
  twoParts: (parts) => `${parts[0]}.${parts[1]}`,
  // One claim changed after signing; the original signature is kept.
  tamperedPayload: (parts) => {
    const payload = forgeDecodePart(parts[1]);
    payload['cognito:username'] = `${payload['cognito:username'] || 'user'}-admin`;
    return `${parts[0]}.${forgeEncodePart(payload)}.${parts[2]}`;
  },
  // Three parts, the signature empty: a verifier that skips an empty signature would accept it.
  signatureRemoved: (parts) => `${parts[0]}.${parts[1]}.`,
  // Same kid and claims, alg "none" and (as RFC 7519 §6.1 prescribes for it) an empty signature.
  algNone: (parts) => {
    const header = forgeDecodePart(parts[0]);
    header.alg = 'none';
    return `${forgeEncodePart(header)}.${parts[1]}.`;
  },
  // Past API Gateway's 10 KiB and Node's 16 KiB header limits: the gateway must refuse it with a 4xx.
  oversized: (parts) => `${parts.join('.')}${'A'.repeat(32 * 1024)}`,
};

function useForgedToken(kind) {
  const idToken = pm.variables.get('id_token') || '';
  const parts = idToken.split('.');
  if (parts.length !== 3) {
    // Without a live token the clause would test nothing: fail it by name rather than send a blank.
    pm.test(`A live id_token to derive the ${kind} token from is present`, () => {
      throw new Error('id_token is empty or not a JWT: see the sign-in failure above, or fill id_token.');
    });
  }
  pm.variables.set('attack_token', parts.length === 3 ? forge[kind](parts) : '');
}
