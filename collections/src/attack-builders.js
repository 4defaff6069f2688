// The token of every catalogue row built inside the Postman sandbox (security/catalogue.ts, rows with
// built: 'sandbox'), from the live token T, the pool's public JWKS and the committed attacker key. One
// builder per row id; a unit test checks the keys here are exactly the catalogue's sandbox rows. Each
// builder returns the token (a string) and never logs anything. `c` is the context contract-lib.js
// makes once per live token:
//   c.token, c.parts ([header, payload, signature] as sent), c.header, c.payload (decoded objects),
//   c.other (the user's other genuine token, or ''), c.poolJwk (the JWKS entry for the token's kid),
//   c.attacker ({ privateJwk, publicJwk, kid, certificateDer }), c.urls ({ jku, x5u }),
//   c.crypto (sandbox-crypto.js).
// The builders run in the sandbox of the Postman app and of Newman: no Node APIs, no Buffer.
const attackBuilders = (() => {
  function part(c, value) {
    return c.crypto.base64url(JSON.stringify(value));
  }
  function text(c, raw) {
    return c.crypto.base64url(raw);
  }
  function withHeader(c, changes, removed) {
    const header = Object.assign({}, c.header, changes);
    for (const key of removed || []) delete header[key];
    return header;
  }
  function signed(c, header, payloadPart) {
    const input = `${part(c, header)}.${payloadPart === undefined ? c.parts[1] : payloadPart}`;
    return `${input}.${c.crypto.rsaSign(header.alg, c.attacker.privateJwk, input)}`;
  }
  function hmacToken(c, alg, key, changes) {
    const input = `${part(c, withHeader(c, Object.assign({ alg: alg }, changes)))}.${c.parts[1]}`;
    return `${input}.${c.crypto.hmac(alg, key, input)}`;
  }
  function keptSignature(c, headerPart, payloadPart) {
    return `${headerPart}.${payloadPart}.${c.parts[2]}`;
  }
  function userClaim(c) {
    return 'cognito:username' in c.payload ? 'cognito:username' : 'username';
  }
  function poolKey(c) {
    if (!c.poolJwk) throw new Error("the pool's public key for this token's kid is not in the JWKS");
    return c.poolJwk;
  }
  const INVALID_UTF8 = new Uint8Array([0xff, 0xfe, 0xfd]);
  const malformedParts = {
    'not-base64url': () => '%%%',
    'not-json': (c) => text(c, 'not json'),
    'json-null': (c) => text(c, 'null'),
    'json-array': (c) => text(c, '[]'),
    'json-number': (c) => text(c, '1'),
    'invalid-utf8': (c) => c.crypto.base64url(INVALID_UTF8),
  };

  const builders = {
    'empty-header': () => '',
    garbage: () => 'this-is-not-a-jwt',
    'two-parts': (c) => `${c.parts[0]}.${c.parts[1]}`,
    // Compact JWE: header . encrypted key (empty for "dir") . IV . ciphertext . tag. The "ciphertext" is
    // T's payload part in clear, so a verifier that reads it as claims sees genuine-looking ones.
    'five-parts-jwe': (c) =>
      [
        part(c, { alg: 'dir', enc: 'A256GCM', kid: c.header.kid }),
        '',
        text(c, 'contract-iv-0'),
        c.parts[1],
        text(c, 'contract-tag-0000'),
      ].join('.'),
    'signature-removed': (c) => `${c.parts[0]}.${c.parts[1]}.`,
    'signature-truncated': (c) => `${c.parts[0]}.${c.parts[1]}.${c.parts[2].slice(0, -4)}`,
    'signature-transplanted': (c) => {
      const otherSignature = String(c.other || '').split('.')[2];
      if (!otherSignature) throw new Error("the user's other token is not available");
      return `${c.parts[0]}.${c.parts[1]}.${otherSignature}`;
    },
    'signature-standard-base64': (c) =>
      `${c.parts[0]}.${c.parts[1]}.${c.crypto.base64(c.crypto.fromBase64url(c.parts[2]), { pad: true })}`,
    'signature-junk-characters': (c) => {
      const middle = Math.floor(c.parts[2].length / 2);
      return `${c.parts[0]}.${c.parts[1]}.${c.parts[2].slice(0, middle)}!@$%${c.parts[2].slice(middle)}`;
    },
    'payload-tampered': (c) => {
      const claim = userClaim(c);
      const payload = Object.assign({}, c.payload);
      payload[claim] = `${payload[claim] || 'user'}-admin`;
      return keptSignature(c, c.parts[0], part(c, payload));
    },
    'payload-duplicate-claim': (c) => {
      const json = JSON.stringify(c.payload);
      return keptSignature(c, c.parts[0], text(c, `${json.slice(0, -1)},"${userClaim(c)}":"admin"}`));
    },
    'header-duplicate-alg': (c) => {
      const rest = withHeader(c, {}, ['alg']);
      const inner = JSON.stringify(rest).slice(1, -1);
      const json = `{"alg":"none",${inner}${inner ? ',' : ''}"alg":${JSON.stringify(c.header.alg)}}`;
      return keptSignature(c, text(c, json), c.parts[1]);
    },
    'header-values-null': (c) =>
      keptSignature(c, part(c, withHeader(c, { alg: null, kid: null })), c.parts[1]),
    'header-values-wrong-type': (c) =>
      keptSignature(c, part(c, withHeader(c, { alg: 0, kid: true })), c.parts[1]),
    'payload-values-null': (c) => {
      const payload = {};
      for (const key of Object.keys(c.payload)) payload[key] = null;
      return keptSignature(c, c.parts[0], part(c, payload));
    },
    'payload-values-wrong-type': (c) =>
      keptSignature(
        c,
        c.parts[0],
        part(c, Object.assign({}, c.payload, { exp: 'jwt_tool', iss: 0, token_use: false })),
      ),
    'alg-none': (c) => `${part(c, withHeader(c, { alg: 'none' }))}.${c.parts[1]}.`,
    'alg-none-capitalised': (c) => `${part(c, withHeader(c, { alg: 'None' }))}.${c.parts[1]}.`,
    'alg-none-uppercase': (c) => `${part(c, withHeader(c, { alg: 'NONE' }))}.${c.parts[1]}.`,
    'alg-none-mixed-case': (c) => `${part(c, withHeader(c, { alg: 'nOnE' }))}.${c.parts[1]}.`,
    'alg-none-unknown-kid': (c) =>
      `${part(c, withHeader(c, { alg: 'none', kid: c.attacker.kid }))}.${c.parts[1]}.`,
    'alg-none-kid-missing': (c) => `${part(c, withHeader(c, { alg: 'none' }, ['kid']))}.${c.parts[1]}.`,
    'alg-none-signature-kept': (c) => keptSignature(c, part(c, withHeader(c, { alg: 'none' })), c.parts[1]),
    'alg-missing': (c) => keptSignature(c, part(c, withHeader(c, {}, ['alg'])), c.parts[1]),
    'alg-rs384-attacker-key': (c) => signed(c, withHeader(c, { alg: 'RS384' })),
    'alg-rs512-attacker-key': (c) => signed(c, withHeader(c, { alg: 'RS512' })),
    'alg-ps256-attacker-key': (c) => signed(c, withHeader(c, { alg: 'PS256' })),
    // CVE-2022-21449: r = 0 and s = 0, 32 bytes each for P-256.
    'alg-es256-zero-signature': (c) =>
      `${part(c, withHeader(c, { alg: 'ES256' }))}.${c.parts[1]}.${c.crypto.base64url(new Uint8Array(64))}`,
    'alg-hs384-public-key': (c) => hmacToken(c, 'HS384', c.crypto.publicKeyPem(poolKey(c), 'spki', true)),
    'alg-hs512-public-key': (c) => hmacToken(c, 'HS512', c.crypto.publicKeyPem(poolKey(c), 'spki', true)),
    'hs256-empty-secret': (c) => hmacToken(c, 'HS256', ''),
    'hs256-common-secret': (c) => hmacToken(c, 'HS256', 'secret'),
    'hs256-jwt-io-secret': (c) => hmacToken(c, 'HS256', 'your-256-bit-secret'),
    'hs256-spki-pem': (c) => hmacToken(c, 'HS256', c.crypto.publicKeyPem(poolKey(c), 'spki', true)),
    'hs256-spki-pem-no-newline': (c) =>
      hmacToken(c, 'HS256', c.crypto.publicKeyPem(poolKey(c), 'spki', false)),
    'hs256-pkcs1-pem': (c) => hmacToken(c, 'HS256', c.crypto.publicKeyPem(poolKey(c), 'pkcs1', true)),
    'hs256-pkcs1-pem-no-newline': (c) =>
      hmacToken(c, 'HS256', c.crypto.publicKeyPem(poolKey(c), 'pkcs1', false)),
    'hs256-jwk-json': (c) => hmacToken(c, 'HS256', JSON.stringify(poolKey(c))),
    'attacker-key-pool-kid': (c) => signed(c, withHeader(c, { alg: 'RS256' })),
    'attacker-key-unknown-kid': (c) => signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid })),
    'kid-missing': (c) => signed(c, withHeader(c, { alg: 'RS256' }, ['kid'])),
    'kid-empty': (c) => hmacToken(c, 'HS256', '', { kid: '' }),
    'kid-path-traversal': (c) => hmacToken(c, 'HS256', '', { kid: '../../../../../../dev/null' }),
    'kid-dev-null': (c) => hmacToken(c, 'HS256', '', { kid: '/dev/null' }),
    'kid-sql-injection': (c) => hmacToken(c, 'HS256', '1', { kid: "x' UNION SELECT '1';--" }),
    'kid-command-injection': (c) => hmacToken(c, 'HS256', '', { kid: '|sleep 10' }),
    'jwk-injection': (c) =>
      signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid, jwk: c.attacker.publicJwk })),
    'jku-injection': (c) => signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid, jku: c.urls.jku })),
    'x5c-injection': (c) =>
      signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid, x5c: [c.attacker.certificateDer] })),
    'x5u-injection': (c) => signed(c, withHeader(c, { alg: 'RS256', kid: c.attacker.kid, x5u: c.urls.x5u })),
    // Past API Gateway's 10 KiB and Node's 16 KiB header limits: refused before any authorizer.
    'oversized-header': (c) => `${c.token}${'A'.repeat(32 * 1024)}`,
  };
  for (const [suffix, make] of Object.entries(malformedParts)) {
    builders[`header-${suffix}`] = (c) => `${make(c)}.${c.parts[1]}.${c.parts[2]}`;
    builders[`payload-${suffix}`] = (c) => `${c.parts[0]}.${make(c)}.${c.parts[2]}`;
  }
  return builders;
})();
