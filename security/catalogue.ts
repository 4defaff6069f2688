/**
 * The attack catalogue: every published way a forged, stale or wrong token must be refused, one row each.
 * It is the one table the collection's refused-token clauses (collections/generate.ts), the README's and
 * docs' matrix tables (docs/build.ts) and the mutation proof (tests/contract/) are derived from; a row
 * and a route meet only in the generator. Adding an attack is one row here plus the code that builds its
 * token: a builder in collections/sandbox/attack-builders.ts for `built: 'sandbox'`, or in
 * security/pool-key-tokens.ts for `built: 'pool-key'`. Both registries are keyed by the row ids
 * (AttackIdBuiltBy), so a row without its builder is a type error; so is a weakness without its
 * weakened gateway (tests/contract/support/weak-authorizers.ts, WEAKENED_GATEWAYS).
 *
 * T below is the live token the method accepts: the user's ID token for a method without OAuth scopes,
 * the access token for a scoped method; H, P, S its header, payload and signature.
 */

import type { FactId } from './facts.ts';

/**
 * The public sources the rows cite (the token catalogue's and the request catalogue's), each with the
 * short name the docs' tables print before a row's detail ('' for CVE records: the detail is the id).
 */
export const SOURCES = {
  jwt_tool: {
    name: 'jwt_tool',
    title: 'ticarpi/jwt_tool v2.2.7, scan mode "all tests" (-M at: playbook, forced errors, common claims)',
    url: 'https://github.com/ticarpi/jwt_tool',
  },
  portswigger: {
    name: 'PortSwigger JWT',
    title: 'PortSwigger Web Security Academy, JWT attacks (labs)',
    url: 'https://portswigger.net/web-security/jwt',
  },
  rfc8725: {
    name: 'RFC 8725',
    title: 'RFC 8725, JSON Web Token Best Current Practices',
    url: 'https://www.rfc-editor.org/rfc/rfc8725',
  },
  wstg: {
    name: 'OWASP WSTG-SESS-10',
    title: 'OWASP Web Security Testing Guide, WSTG-SESS-10 Testing JSON Web Tokens',
    url: 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/06-Session_Management_Testing/10-Testing_JSON_Web_Tokens',
  },
  rfc7515: {
    name: 'RFC 7515',
    title: 'RFC 7515, JSON Web Signature',
    url: 'https://www.rfc-editor.org/rfc/rfc7515',
  },
  rfc7519: {
    name: 'RFC 7519',
    title: 'RFC 7519, JSON Web Token',
    url: 'https://www.rfc-editor.org/rfc/rfc7519',
  },
  cognito: {
    name: 'AWS docs',
    title: 'Amazon API Gateway: control access to a REST API using Amazon Cognito user pools as authorizer',
    url: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html',
  },
  cve: { name: '', title: 'CVE records', url: 'https://www.cve.org/' },
  // The request catalogue's (security/request-catalogue.ts).
  rfc6750: {
    name: 'RFC 6750',
    title: 'RFC 6750, The OAuth 2.0 Authorization Framework: Bearer Token Usage',
    url: 'https://www.rfc-editor.org/rfc/rfc6750',
  },
  rfc9700: {
    name: 'RFC 9700',
    title: 'RFC 9700, Best Current Practice for OAuth 2.0 Security',
    url: 'https://www.rfc-editor.org/rfc/rfc9700',
  },
  rfc9110: {
    name: 'RFC 9110',
    title: 'RFC 9110, HTTP Semantics',
    url: 'https://www.rfc-editor.org/rfc/rfc9110',
  },
  rfc3986: {
    name: 'RFC 3986',
    title: 'RFC 3986, Uniform Resource Identifier: Generic Syntax',
    url: 'https://www.rfc-editor.org/rfc/rfc3986',
  },
  'wstg-guide': {
    name: 'OWASP WSTG',
    title: 'OWASP Web Security Testing Guide (WSTG-ATHZ-02 bypassing authorization, WSTG-SESS, WSTG-INPV)',
    url: 'https://owasp.org/www-project-web-security-testing-guide/latest/',
  },
  'portswigger-labs': {
    name: 'PortSwigger labs',
    title: 'PortSwigger Web Security Academy labs (access control, web cache, host header)',
    url: 'https://portswigger.net/web-security',
  },
  amplify: {
    name: 'Amplify',
    title:
      'AWS Amplify JS: Cognito tokens kept in cookies named CognitoIdentityServiceProvider.<clientId>.<user>.idToken',
    url: 'https://docs.amplify.aws/gen1/javascript/build-a-backend/auth/manage-user-session/',
  },
} as const;
export type SourceId = keyof typeof SOURCES;

export interface SourceRef {
  readonly source: SourceId;
  /** Where in that source: a section, a lab, a jwt_tool test, a CVE id. */
  readonly detail: string;
}

/**
 * What is wrong with a row's token, each with the refusal API Gateway gives a token that has only that
 * defect and the graded fact (security/facts.ts) that says so. A row lists its defects in the order the
 * local authorizer finds them; collections/assertions.ts asserts of a row with several defects only
 * what every defect's refusal shares, since which refusal wins is open (docs/reference.md §1).
 * - `unauthorized`: 401 `{"message":"Unauthorized"}`, UnauthorizedException;
 * - `expired`: 401 `{"message":"The incoming token has expired"}` (its x-amzn-ErrorType is open);
 * - `client-error`: a 4xx, which one is open.
 */
export const DEFECTS = {
  malformed: { answer: 'unauthorized', fact: 'malformed-token-refused' },
  'bad-signature': { answer: 'unauthorized', fact: 'bad-signature-refused' },
  'foreign-key': { answer: 'unauthorized', fact: 'foreign-key-refused' },
  'foreign-issuer': { answer: 'unauthorized', fact: 'foreign-issuer-refused' },
  'access-token': { answer: 'unauthorized', fact: 'access-token-refused' },
  expired: { answer: 'expired', fact: 'expired-refused' },
  oversized: { answer: 'client-error', fact: 'broken-token-4xx' },
  /**
   * A valid pool signature over claims Cognito never issues (no exp, exp as a string, no token_use or
   * one in upper case, iss as an array): whether it is refused at all is open.
   */
  'odd-claims': { answer: 'unauthorized', fact: 'pool-signed-odd-claims' },
} as const satisfies Record<string, { readonly answer: Refusal; readonly fact: FactId }>;
export type Defect = keyof typeof DEFECTS;

export type Refusal = 'unauthorized' | 'expired' | 'client-error';

/**
 * Where the token is made. `sandbox`: in the collection's scripts from T, the pool's public JWKS and the
 * committed attacker key, so it runs in the Postman app, bare Newman and `npm run contract` alike.
 * `sign-in`: a genuine token from the sign-in. `pool-key`: signed with the pool's own private key, which
 * only the local emulator's is knowable (it ships inside cognito-local): local target only.
 */
export type BuiltBy = 'sandbox' | 'sign-in' | 'pool-key';

/** What a sandbox builder needs beyond T. */
export type Needs = 'pool-jwks' | 'other-token';

/** Which methods a row applies to: by the kind of token the method accepts. */
export type AppliesTo = 'any' | 'id-token-methods';

/**
 * A weakness a row is meant to catch: the mutation proof runs the whole contract against a gateway
 * weakened in exactly that way and demands that exactly the rows listing it fail. Implemented by
 * tests/contract/support/weak-authorizers.ts (WEAKENED_GATEWAYS: a type error there if one is missing).
 */
export const WEAKNESSES = {
  'empty-token-allowed': 'treats an empty Authorization value as an anonymous caller to let through',
  'decode-fail-open': 'lets the request through when the token cannot be decoded (an exception means allow)',
  'crash-on-malformed': 'fails with a server error on a token it cannot decode',
  'crash-on-unexpected-types': 'fails with a server error when a header or claim has an unexpected JSON type',
  'two-part-token-unverified':
    'treats a token without a signature part as an unsecured JWT and skips verification',
  'jwe-shape-unverified':
    'treats a five-part (JWE-shaped) token as encrypted, hence authentic, without verifying it',
  'oversized-header-crash': 'fails with a server error on an Authorization header over the size limit',
  'signature-unchecked':
    'decodes the token and checks its claims, but never its signature (jwt.decode for jwt.verify)',
  'empty-signature-accepted': 'accepts a token whose signature part is empty (the "null signature" bug)',
  'signature-length-fail-open': 'skips verification when the signature has an unexpected length',
  'lenient-base64-signature':
    'decodes the signature with a lenient base64 decoder that also takes +/= (standard base64)',
  'verified-cache-keyed-by-signature':
    'remembers verified tokens by their signature alone, so a changed header or payload under a remembered signature passes',
  'alg-none-accepted': 'accepts an unsigned token whose alg is exactly "none"',
  'alg-none-case-insensitive': 'accepts an unsigned token whose alg is "none" in any capitalisation',
  'alg-none-signature-ignored': 'accepts alg "none" whatever the signature part holds',
  'alg-none-when-key-missing':
    'accepts alg "none" when it finds no key for the token (a falsy key and no algorithm list: CVE-2022-23540)',
  'alg-missing-unverified': 'skips verification when the header names no alg',
  'unsupported-alg-fail-open':
    'verifies RS256 properly but lets a token with any other alg through unverified',
  'alg-unverified:RS384': 'has no verification for RS384 and lets such a token through',
  'alg-unverified:RS512': 'has no verification for RS512 and lets such a token through',
  'alg-unverified:PS256': 'has no verification for PS256 and lets such a token through',
  'psychic-signature': 'accepts an ECDSA signature with r = s = 0 (CVE-2022-21449)',
  'hmac-empty-secret': 'also accepts HS256 signed with an empty secret (a blank secret in its configuration)',
  'hmac-weak-secret:secret': 'also accepts HS256 signed with the secret "secret"',
  'hmac-weak-secret:your-256-bit-secret':
    'also accepts HS256 signed with jwt.io\'s default secret "your-256-bit-secret"',
  'key-confusion:spki-pem':
    "accepts HS256 keyed with the pool's public key as SPKI PEM (the alg comes from the token)",
  'key-confusion:spki-pem-trimmed': 'the same with the PEM trimmed of its trailing newline',
  'key-confusion:pkcs1-pem': 'the same with the key as PKCS#1 PEM (CVE-2023-48223)',
  'key-confusion:pkcs1-pem-trimmed': 'the same with the PKCS#1 PEM trimmed of its trailing newline',
  'key-confusion:jwk-json': "the same with the pool's JWK as JSON text as the HMAC secret",
  'key-confusion:HS384': "accepts HS384 keyed with the pool's public key (SPKI PEM)",
  'key-confusion:HS512': "accepts HS512 keyed with the pool's public key (SPKI PEM)",
  'unknown-kid-fail-open': "skips verification when the kid is not in the pool's key set",
  'missing-kid-unverified': 'skips verification when the header has no kid',
  'kid-empty-default-key': 'takes a blank kid to mean its default HMAC key, which is empty',
  'kid-as-file-path':
    'reads the HMAC key from a file named by the kid (path traversal to /dev/null gives an empty key)',
  'kid-sql-lookup': 'looks the kid up with a string-built SQL query (UNION SELECT chooses the key)',
  'kid-shell-lookup':
    "looks the kid up through a shell command (the injected command's empty output becomes the key)",
  'embedded-jwk-trusted': 'verifies with the key the token carries in its own jwk header (CVE-2018-0114)',
  'jku-trusted': "fetches the key set from the URL in the token's jku header",
  'x5c-trusted': 'verifies with the certificate the token carries in its own x5c header',
  'x5u-trusted': "fetches the certificate from the URL in the token's x5u header",
  'duplicate-key-parser-differential':
    'reads alg with a first-key-wins parser in the signature step (which skips "none") and with JSON.parse (last key wins) in the rest',
  'token-use-unchecked': 'accepts access tokens as well as ID tokens (token_use not checked)',
  'token-use-case-insensitive': 'compares token_use without regard to case',
  'token-use-optional': 'accepts a token without token_use',
  'issuer-unchecked': 'does not check the issuer at all',
  'issuer-starts-with': "checks that the issuer starts with the pool's issuer",
  'issuer-ends-with': "checks that the issuer ends with the pool's issuer",
  'issuer-case-insensitive': 'compares the issuer without regard to case',
  'iss-array-contains': "accepts an issuer given as an array that contains the pool's issuer",
  'exp-unchecked': 'does not look at exp at all',
  'exp-optional': 'accepts a token without exp (it never expires)',
  'exp-coerced': 'coerces exp with Number(), so a string passes',
} as const;
export type WeaknessId = keyof typeof WEAKNESSES;

/**
 * Weaknesses the default settings cannot catch: every row listing them rests on an open fact, so a
 * gateway with them passes the default contract. Each is proven under `--strict` of that fact alone;
 * the mutation proof (tests/contract/mutation-proof.test.ts) lists them for the reviewer and fails if one of their rows rests on a firm
 * or likely fact (then the default settings must catch it).
 */
export const OPEN_ONLY_WEAKNESSES: Partial<
  Record<WeaknessId, { readonly fact: FactId; readonly reason: string }>
> = {
  'token-use-case-insensitive': {
    fact: 'pool-signed-odd-claims',
    reason:
      'only a token signed with the pool key can carry token_use in upper case, and whether API Gateway refuses one is open',
  },
  'token-use-optional': {
    fact: 'pool-signed-odd-claims',
    reason:
      'only a token signed with the pool key can lack token_use, and whether API Gateway refuses one is open',
  },
  'iss-array-contains': {
    fact: 'pool-signed-odd-claims',
    reason:
      'only a token signed with the pool key can carry iss as an array, and whether API Gateway refuses one is open',
  },
  'exp-optional': {
    fact: 'pool-signed-odd-claims',
    reason: 'only a token signed with the pool key can lack exp, and whether API Gateway refuses one is open',
  },
  'exp-coerced': {
    fact: 'pool-signed-odd-claims',
    reason:
      'only a token signed with the pool key can carry exp as a string, and whether API Gateway refuses one is open',
  },
};

export interface AttackRow {
  readonly id: string;
  /** The clause sentence's subject, e.g. `a token with alg "none"` (the generator adds the verb and method). */
  readonly clause: string;
  /** What the Authorization header carries, for the docs table (Markdown). */
  readonly sends: string;
  /** What is wrong with the token, first the defect the local authorizer finds first (at least one). */
  readonly defects: readonly [Defect, ...Defect[]];
  /** Why it matters: the bug it finds. */
  readonly why: string;
  readonly built: BuiltBy;
  readonly needs?: readonly Needs[];
  readonly appliesTo?: AppliesTo;
  readonly sources: readonly SourceRef[];
  readonly catches: readonly WeaknessId[];
}

const jt = (detail: string): SourceRef => ({ source: 'jwt_tool', detail });
const ps = (detail: string): SourceRef => ({ source: 'portswigger', detail });
const bcp = (detail: string): SourceRef => ({ source: 'rfc8725', detail });
const wstg = (detail: string): SourceRef => ({ source: 'wstg', detail });
const cve = (id: string): SourceRef => ({ source: 'cve', detail: id });

/** Rows whose token cannot be decoded: three base64url JSON objects is what every decoder expects. */
const undecodable: readonly WeaknessId[] = ['decode-fail-open', 'crash-on-malformed'];
/** Rows that keep T's claims and break only the signature or the algorithm. */
const unsigned: WeaknessId = 'signature-unchecked';
/** Rows under an algorithm other than RS256 with T's claims. */
const otherAlg: WeaknessId = 'unsupported-alg-fail-open';
/** HMAC with an empty key, whatever the kid says. */
const emptyHmac: WeaknessId = 'hmac-empty-secret';

/** The ways a header or payload part is broken (collections/sandbox/attack-builders.ts builds each). */
export const MALFORMED_SUFFIXES = [
  'not-base64url',
  'not-json',
  'json-null',
  'json-array',
  'json-number',
  'invalid-utf8',
] as const;
export type MalformedSuffix = (typeof MALFORMED_SUFFIXES)[number];

type MalformedRow<P extends 'header' | 'payload'> = AttackRow & {
  readonly id: `${P}-${MalformedSuffix}`;
  readonly built: 'sandbox';
};

/** A row made in a `.map`: its id and `built` keep their literal types, as the listed rows' do. */
function row<const I extends string, const B extends BuiltBy>(
  entry: AttackRow & { readonly id: I; readonly built: B },
): AttackRow & { readonly id: I; readonly built: B } {
  return entry;
}

function malformed<P extends 'header' | 'payload'>(part: P): MalformedRow<P>[] {
  const other = part === 'header' ? 'payload' : 'header';
  const cases: [MalformedSuffix, string, string][] = [
    ['not-base64url', `a ${part} part that is not base64url`, '`%%%`'],
    ['not-json', `a ${part} part that is not JSON`, 'base64url of `not json`'],
    ['json-null', `a ${part} part that is JSON null`, 'base64url of `null`'],
    ['json-array', `a ${part} part that is a JSON array`, 'base64url of `[]`'],
    ['json-number', `a ${part} part that is a JSON number`, 'base64url of `1`'],
    ['invalid-utf8', `a ${part} part that is not valid UTF-8`, 'base64url of the bytes `FF FE FD`'],
  ];
  return cases.map(([suffix, clause, sends]) => ({
    id: `${part}-${suffix}` as const,
    clause: `a token with ${clause}`,
    sends: `the ${part} part replaced by ${sends}; T's ${other} and signature kept`,
    defects: ['malformed'],
    why: 'a parser that fails open or crashes on input it cannot read: must be 401, never a 5xx',
    built: 'sandbox' as const,
    sources: [
      jt('forced errors (-M er)'),
      bcp(suffix === 'invalid-utf8' ? '§3.7 use UTF-8' : '§2.6 multiplicity of JSON encodings'),
    ],
    catches: undecodable,
  }));
}

const ROWS = [
  // Presence and shape.
  {
    id: 'empty-header',
    clause: 'an empty Authorization header',
    sends: 'an empty value (raw); `Bearer ` and nothing (Bearer form)',
    defects: ['malformed'],
    why: 'an authorizer that treats "present" as "valid", or an empty token as an anonymous caller',
    built: 'sandbox',
    sources: [jt('prescan: no token'), wstg('missing token')],
    catches: ['empty-token-allowed'],
  },
  {
    id: 'garbage',
    clause: 'a garbage token',
    sends: '`this-is-not-a-jwt`',
    defects: ['malformed'],
    why: 'a parser that fails open (exception → allow) or crashes',
    built: 'sandbox',
    sources: [jt('forced errors (-M er)'), wstg('malformed tokens')],
    catches: undecodable,
  },
  {
    id: 'two-parts',
    clause: 'a token with only two parts',
    sends: '`H.P`: the signature part gone with its dot',
    defects: ['malformed'],
    why: 'verifiers that treat a token without signature part as an unsecured JWT',
    built: 'sandbox',
    sources: [{ source: 'rfc7519', detail: '§6 unsecured JWTs' }, bcp('§3.1 perform algorithm verification')],
    catches: [...undecodable, 'two-part-token-unverified'],
  },
  {
    id: 'five-parts-jwe',
    clause: 'a JWE-shaped token with five parts',
    sends: 'five parts, header `{"alg":"dir","enc":"A256GCM","kid":H.kid}`, made-up ciphertext',
    defects: ['malformed'],
    why: 'verifiers that take an encrypted-looking token as authentic',
    built: 'sandbox',
    sources: [bcp('§2.3 incorrect composition of encryption and signature')],
    catches: [...undecodable, 'jwe-shape-unverified'],
  },
  // Signature.
  {
    id: 'signature-removed',
    clause: 'a token whose signature was removed',
    sends: '`H.P.` (three parts, empty signature)',
    defects: ['bad-signature'],
    why: 'verifiers that accept an empty signature',
    built: 'sandbox',
    sources: [jt('-X n null signature'), cve('CVE-2020-28042')],
    catches: [unsigned, 'empty-signature-accepted', 'signature-length-fail-open'],
  },
  {
    id: 'signature-truncated',
    clause: 'a token with a truncated signature',
    sends: "T's signature without its last 4 characters (jwt_tool's broken signature)",
    defects: ['bad-signature'],
    why: 'verifiers that skip a signature they cannot check instead of refusing it',
    built: 'sandbox',
    sources: [jt('playbook: broken signature'), ps('unverified signature lab')],
    catches: [unsigned, 'signature-length-fail-open'],
  },
  {
    id: 'signature-transplanted',
    clause: 'a token carrying the signature of another genuine token',
    sends:
      "`H.P.` + the signature of the user's other genuine token (access token for an ID-token method, and the reverse)",
    defects: ['bad-signature'],
    why: 'a genuine signature proves nothing about a header and payload it was not made for',
    built: 'sandbox',
    needs: ['other-token'],
    sources: [bcp('§3.3 validate all cryptographic operations'), wstg('signature verification')],
    catches: [unsigned],
  },
  {
    id: 'signature-standard-base64',
    clause: 'a token whose signature is in padded standard base64',
    sends: "T's own signature re-encoded with `+/=` instead of base64url",
    defects: ['bad-signature'],
    why: 'lenient decoders accept several spellings of one signature (RFC 7515 §2 requires base64url without padding)',
    built: 'sandbox',
    sources: [{ source: 'rfc7515', detail: '§2 Base64url Encoding' }, bcp('§2.6 multiplicity of encodings')],
    catches: [unsigned, 'lenient-base64-signature'],
  },
  {
    id: 'signature-junk-characters',
    clause: 'a token whose signature has characters outside base64url',
    sends: "T's own signature with `!@$%` inserted in the middle",
    defects: ['bad-signature'],
    why: 'decoders that skip what they cannot read turn the junk back into the genuine signature',
    built: 'sandbox',
    sources: [cve('CVE-2022-25898'), { source: 'rfc7515', detail: '§2 Base64url Encoding' }],
    catches: [unsigned, 'lenient-base64-signature'],
  },
  {
    id: 'payload-tampered',
    clause: 'a token whose payload was changed after signing',
    sends: "T with `cognito:username` (or `username`) changed, T's signature kept",
    defects: ['bad-signature'],
    why: 'privilege escalation by editing claims: the signature is what makes them trustworthy',
    built: 'sandbox',
    sources: [ps('unverified signature lab'), jt('playbook: claim processing check'), wstg('tampering')],
    catches: [unsigned, 'verified-cache-keyed-by-signature'],
  },
  {
    id: 'payload-duplicate-claim',
    clause: 'a token whose payload names a claim twice',
    sends: 'T\'s payload JSON text followed by a second `"cognito:username":"admin"`, T\'s signature kept',
    defects: ['bad-signature'],
    why: 'two parsers reading one token differently (first vs last duplicate wins)',
    built: 'sandbox',
    sources: [bcp('§2.6 multiplicity of JSON encodings')],
    catches: [unsigned, 'verified-cache-keyed-by-signature'],
  },
  ...malformed('header'),
  ...malformed('payload'),
  {
    id: 'header-duplicate-alg',
    clause: 'a token whose header names alg twice',
    sends: 'header JSON text `{"alg":"none",…H…,"alg":"RS256"}`, T\'s payload and signature',
    defects: ['bad-signature'],
    why: 'a signature step and a claims step that parse the header differently',
    built: 'sandbox',
    sources: [bcp('§2.6 multiplicity of JSON encodings')],
    catches: [unsigned, 'verified-cache-keyed-by-signature', 'duplicate-key-parser-differential'],
  },
  {
    id: 'header-values-null',
    clause: 'a token whose header values are null',
    sends: "H with `alg` and `kid` set to `null`, T's payload and signature",
    defects: ['foreign-key', 'bad-signature'],
    why: 'code that assumes a string crashes or falls through',
    built: 'sandbox',
    sources: [jt('forced errors: null into each header claim')],
    catches: [unsigned, otherAlg, 'verified-cache-keyed-by-signature', 'crash-on-unexpected-types'],
  },
  {
    id: 'header-values-wrong-type',
    clause: 'a token whose header values have the wrong JSON type',
    sends: "H with `alg: 0` and `kid: true`, T's payload and signature",
    defects: ['foreign-key', 'bad-signature'],
    why: 'code that assumes a string crashes or falls through',
    built: 'sandbox',
    sources: [jt('forced errors: 0 / true into each header claim')],
    catches: [unsigned, otherAlg, 'verified-cache-keyed-by-signature', 'crash-on-unexpected-types'],
  },
  {
    id: 'payload-values-null',
    clause: 'a token whose claims are all null',
    sends: "every claim of P set to `null`, T's header and signature",
    defects: ['bad-signature', 'odd-claims'],
    why: 'claim checks that crash or are skipped for a null',
    built: 'sandbox',
    sources: [jt('forced errors: null into each payload claim')],
    catches: ['crash-on-unexpected-types'],
  },
  {
    id: 'payload-values-wrong-type',
    clause: 'a token whose claims have the wrong JSON types',
    sends: '`exp: "jwt_tool"`, `iss: 0`, `token_use: false`, T\'s header and signature',
    defects: ['bad-signature', 'odd-claims'],
    why: 'claim checks that crash or are skipped for an unexpected type',
    built: 'sandbox',
    sources: [jt('forced errors: "jwt_tool" / 0 / false into each payload claim')],
    catches: ['crash-on-unexpected-types'],
  },
  // Algorithm.
  ...(
    [
      ['alg-none', 'none'],
      ['alg-none-capitalised', 'None'],
      ['alg-none-uppercase', 'NONE'],
      ['alg-none-mixed-case', 'nOnE'],
    ] as const
  ).map(([id, alg]) =>
    row({
      id,
      clause: `a token with alg "${alg}"`,
      sends: `H with \`alg: "${alg}"\`, T's payload, empty signature`,
      defects: ['foreign-key'],
      why: 'the unsigned-token bypass; case variants slip past a check for the lowercase word only',
      built: 'sandbox',
      sources: [
        jt(`-X a "alg":"${alg}"`),
        ps('flawed signature verification lab'),
        bcp('§2.1, §3.2'),
        cve('CVE-2015-2951'),
        cve('CVE-2022-23540'),
      ],
      catches: [
        unsigned,
        otherAlg,
        'alg-none-case-insensitive',
        ...(alg === 'none' ? (['alg-none-accepted', 'alg-none-signature-ignored'] as const) : []),
      ],
    }),
  ),
  ...(
    [
      ['alg-none-unknown-kid', 'under a kid the pool does not have', { kid: 'contract-attacker-1' }],
      ['alg-none-kid-missing', 'without kid', undefined],
    ] as const
  ).map(([id, how, kid]) =>
    row({
      id,
      clause: `a token with alg "none" ${how}`,
      sends: `H with \`alg: "none"\` ${kid ? 'and `kid: "contract-attacker-1"`' : 'and no `kid`'}, T's payload, empty signature`,
      defects: ['foreign-key'],
      why: 'a key lookup that finds nothing leaves a falsy key, and some verifiers then take "none" at its word',
      built: 'sandbox',
      sources: [cve('CVE-2022-23540'), jt('-X a'), bcp('§3.1 perform algorithm verification')],
      catches: [
        unsigned,
        otherAlg,
        'alg-none-accepted',
        'alg-none-case-insensitive',
        'alg-none-signature-ignored',
        'alg-none-when-key-missing',
      ],
    }),
  ),
  {
    id: 'alg-none-signature-kept',
    clause: 'a token with alg "none" that keeps its signature',
    sends: 'H with `alg: "none"`, T\'s payload and signature',
    defects: ['foreign-key'],
    why: 'verifiers that honour "none" whatever follows the second dot',
    built: 'sandbox',
    sources: [jt('-X a'), wstg('none algorithm')],
    catches: [unsigned, otherAlg, 'alg-none-signature-ignored', 'verified-cache-keyed-by-signature'],
  },
  {
    id: 'alg-missing',
    clause: 'a token without alg',
    sends: "H without `alg`, T's payload and signature",
    defects: ['foreign-key'],
    why: 'a verifier that dispatches on alg and does nothing when it is absent',
    built: 'sandbox',
    sources: [bcp('§3.1 perform algorithm verification')],
    catches: [
      unsigned,
      otherAlg,
      'alg-missing-unverified',
      'verified-cache-keyed-by-signature',
      'crash-on-unexpected-types',
    ],
  },
  ...(['RS384', 'RS512', 'PS256'] as const).map((alg) =>
    row({
      id: `alg-${alg.toLowerCase() as Lowercase<typeof alg>}-attacker-key`,
      clause: `an ${alg} token signed by an attacker's key`,
      sends: `H with \`alg: "${alg}"\` (the pool's kid), T's payload, signed by the attacker key with ${alg}`,
      defects: ['foreign-key'],
      why: 'an algorithm the pool never uses: a verifier must refuse it, not skip it',
      built: 'sandbox',
      sources: [
        bcp('§3.1 perform algorithm verification, §3.2 use appropriate algorithms'),
        wstg('algorithm'),
      ],
      catches: [unsigned, otherAlg, `alg-unverified:${alg}`],
    }),
  ),
  {
    id: 'alg-es256-zero-signature',
    clause: 'an ES256 token with an all-zero signature',
    sends: 'H with `alg: "ES256"`, T\'s payload, a signature of 64 zero bytes (r = s = 0)',
    defects: ['foreign-key'],
    why: 'the "psychic signature" ECDSA check that accepts r = s = 0',
    built: 'sandbox',
    sources: [cve('CVE-2022-21449'), bcp('§3.4 validate cryptographic inputs')],
    catches: [unsigned, otherAlg, 'psychic-signature'],
  },
  ...(['HS384', 'HS512'] as const).map((alg) =>
    row({
      id: `alg-${alg.toLowerCase()}-public-key`,
      clause: `an ${alg} token keyed with the pool's public key`,
      sends: `H with \`alg: "${alg}"\`, T's payload, HMAC keyed with the pool's public key as SPKI PEM`,
      defects: ['foreign-key'],
      why: 'key confusion with a longer HMAC: the public key is public, so anyone can make this token',
      built: 'sandbox',
      needs: ['pool-jwks'],
      sources: [ps('algorithm confusion lab'), jt('-X k key confusion'), bcp('§2.1')],
      catches: [unsigned, otherAlg, `key-confusion:${alg}`],
    }),
  ),
  // HMAC secrets and key confusion.
  {
    id: 'hs256-empty-secret',
    clause: 'an HS256 token signed with an empty secret',
    sends: 'H with `alg: "HS256"`, T\'s payload, HMAC-SHA256 with an empty key',
    defects: ['foreign-key'],
    why: 'a blank secret in a configuration (jwt_tool\'s "blank password")',
    built: 'sandbox',
    sources: [jt('-X b blank password'), cve('CVE-2019-20933')],
    catches: [unsigned, otherAlg, emptyHmac],
  },
  {
    id: 'hs256-common-secret',
    clause: 'an HS256 token signed with the secret "secret"',
    sends: 'H with `alg: "HS256"`, T\'s payload, HMAC-SHA256 keyed `secret`',
    defects: ['foreign-key'],
    why: 'a weak, guessable HMAC secret',
    built: 'sandbox',
    sources: [ps('weak signing key lab'), jt('common HMAC secrets (jwt-common.txt)'), bcp('§2.2, §3.5')],
    catches: [unsigned, otherAlg, 'hmac-weak-secret:secret'],
  },
  {
    id: 'hs256-jwt-io-secret',
    clause: "an HS256 token signed with jwt.io's default secret",
    sends: 'H with `alg: "HS256"`, T\'s payload, HMAC-SHA256 keyed `your-256-bit-secret`',
    defects: ['foreign-key'],
    why: "the secret every jwt.io user has seen: the tutorial's own tool",
    built: 'sandbox',
    sources: [jt('common HMAC secrets (jwt-common.txt)'), wstg('weak HMAC keys')],
    catches: [unsigned, otherAlg, 'hmac-weak-secret:your-256-bit-secret'],
  },
  ...(
    [
      [
        'hs256-spki-pem',
        'spki-pem',
        'as SPKI PEM',
        "the PEM with its trailing newline, as `fs.readFileSync('public.pem')` loads it",
        [cve('CVE-2015-9235'), cve('CVE-2016-10555')],
      ],
      [
        'hs256-spki-pem-no-newline',
        'spki-pem-trimmed',
        'as SPKI PEM without its trailing newline',
        'the PEM trimmed',
        [],
      ],
      [
        'hs256-pkcs1-pem',
        'pkcs1-pem',
        'as PKCS#1 PEM',
        '`BEGIN RSA PUBLIC KEY`, with trailing newline',
        [cve('CVE-2023-48223')],
      ],
      [
        'hs256-pkcs1-pem-no-newline',
        'pkcs1-pem-trimmed',
        'as PKCS#1 PEM without its trailing newline',
        'the PKCS#1 PEM trimmed',
        [],
      ],
      [
        'hs256-jwk-json',
        'jwk-json',
        'as JWK JSON',
        'the JWK exactly as the JWKS publishes it, `JSON.stringify`d',
        [],
      ],
    ] as const
  ).map(([id, form, how, detail, cves]) =>
    row({
      id,
      clause: `an HS256 token keyed with the pool's public key ${how}`,
      sends: `H with \`alg: "HS256"\`, T's payload, HMAC-SHA256 keyed with the pool's public key: ${detail}`,
      defects: ['foreign-key'],
      why: 'key confusion: a verifier that lets the token choose the algorithm uses the public key as the HMAC secret',
      built: 'sandbox',
      needs: ['pool-jwks'],
      sources: [
        ps('algorithm confusion labs (with and without an exposed key)'),
        jt('-X k key confusion'),
        bcp('§2.1'),
        wstg('HMAC/RSA confusion'),
        ...cves,
      ],
      catches: [unsigned, otherAlg, `key-confusion:${form}`],
    }),
  ),
  // Keys and kid.
  {
    id: 'attacker-key-pool-kid',
    clause: "an RS256 token signed by another key under the pool's kid",
    sends: "H and P unchanged, signed by the attacker key (kid still the pool's)",
    defects: ['foreign-key'],
    why: "a forged token: the key must come from the pool's JWKS, never from the token",
    built: 'sandbox',
    sources: [wstg('signature verification'), bcp('§3.10 do not trust received claims')],
    catches: [unsigned],
  },
  {
    id: 'attacker-key-unknown-kid',
    clause: 'an RS256 token signed by another key under its own kid',
    sends: 'H with `kid: "contract-attacker-1"`, T\'s payload, attacker-signed',
    defects: ['foreign-key'],
    why: 'verifiers that fetch or trust an unknown kid, or fall back to "any key"',
    built: 'sandbox',
    sources: [bcp('§3.10'), wstg('kid')],
    catches: [unsigned, 'unknown-kid-fail-open'],
  },
  {
    id: 'kid-missing',
    clause: 'an RS256 token without kid signed by another key',
    sends: "H without `kid`, T's payload, attacker-signed",
    defects: ['foreign-key'],
    why: 'a key lookup that does nothing when the kid is absent',
    built: 'sandbox',
    sources: [jt('injected kid claim'), bcp('§3.10')],
    catches: [unsigned, 'missing-kid-unverified'],
  },
  ...(
    [
      ['kid-empty', '', 'a blank kid', 'empty', ['kid-empty-default-key'], [jt('kid blank, null-signed')]],
      [
        'kid-path-traversal',
        '../../../../../../dev/null',
        'a kid that walks to /dev/null',
        'empty',
        ['kid-as-file-path'],
        [jt('kid path traversal, null-signed'), ps('kid header path traversal lab')],
      ],
      [
        'kid-dev-null',
        '/dev/null',
        'a kid naming /dev/null',
        'empty',
        ['kid-as-file-path'],
        [jt('kid "/dev/null", null-signed')],
      ],
      [
        'kid-sql-injection',
        "x' UNION SELECT '1';--",
        'a kid carrying SQL injection',
        '`1`',
        ['kid-sql-lookup'],
        [jt('kid SQLi, signed with "1"'), bcp('§2.9 indirect attacks on the server')],
      ],
      [
        'kid-command-injection',
        '|sleep 10',
        'a kid carrying a shell command',
        'empty',
        ['kid-shell-lookup'],
        [jt('kid RCE attempt'), bcp('§2.9 indirect attacks on the server')],
      ],
    ] as const
  ).map(([id, kid, how, key, specific, sources]) =>
    row({
      id,
      clause: `an HS256 token with ${how}`,
      sends: `H with \`alg: "HS256"\`, \`kid: ${JSON.stringify(kid)}\`, T's payload, HMAC with a${key === 'empty' ? 'n empty' : ''} key${key === 'empty' ? '' : ` ${key}`}`,
      defects: ['foreign-key'],
      why: 'the kid chooses the key: verifiers that resolve it as a path, a query or a command',
      built: 'sandbox',
      sources: [...sources, wstg('kid manipulation')],
      catches: [unsigned, otherAlg, ...(key === 'empty' ? [emptyHmac] : []), ...specific],
    }),
  ),
  {
    id: 'jwk-injection',
    clause: 'a token carrying its own key in a jwk header',
    sends: 'H with `kid: "contract-attacker-1"` and `jwk` = the attacker\'s public key, attacker-signed',
    defects: ['foreign-key'],
    why: 'verifiers that trust a key embedded in the token (CVE-2018-0114)',
    built: 'sandbox',
    sources: [jt('-X i injected JWKS'), ps('jwk header injection lab'), cve('CVE-2018-0114'), bcp('§3.10')],
    catches: [unsigned, 'unknown-kid-fail-open', 'embedded-jwk-trusted'],
  },
  {
    id: 'jku-injection',
    clause: "a token pointing its jku header at an attacker's key set",
    sends:
      'H with `kid: "contract-attacker-1"` and `jku` = a URL serving the attacker\'s JWKS (on loopback for local runs), attacker-signed',
    defects: ['foreign-key'],
    why: 'verifiers that fetch keys from a URL the token names (and SSRF)',
    built: 'sandbox',
    sources: [jt('-X s spoof JWKS'), ps('jku header injection lab'), bcp('§2.9, §3.10')],
    catches: [unsigned, 'unknown-kid-fail-open', 'jku-trusted'],
  },
  {
    id: 'x5c-injection',
    clause: 'a token carrying its own certificate in an x5c header',
    sends:
      'H with `kid: "contract-attacker-1"` and `x5c` = the attacker\'s self-signed certificate, attacker-signed',
    defects: ['foreign-key'],
    why: 'verifiers that trust a certificate embedded in the token',
    built: 'sandbox',
    sources: [{ source: 'rfc7515', detail: '§4.1.6 x5c' }, bcp('§3.10'), wstg('x5c')],
    catches: [unsigned, 'unknown-kid-fail-open', 'x5c-trusted'],
  },
  {
    id: 'x5u-injection',
    clause: "a token pointing its x5u header at an attacker's certificate",
    sends:
      'H with `kid: "contract-attacker-1"` and `x5u` = a URL serving the attacker\'s certificate, attacker-signed',
    defects: ['foreign-key'],
    why: 'verifiers that fetch a certificate from a URL the token names (and SSRF)',
    built: 'sandbox',
    sources: [jt('common headers: x5u'), { source: 'rfc7515', detail: '§4.1.5 x5u' }, bcp('§2.9')],
    catches: [unsigned, 'unknown-kid-fail-open', 'x5u-trusted'],
  },
  {
    id: 'oversized-header',
    clause: 'an oversized Authorization header',
    sends: 'T followed by 32 KiB of `A`',
    defects: ['oversized'],
    why: 'header limits must fail closed: no crash, no integration',
    built: 'sandbox',
    sources: [wstg('input limits')],
    catches: ['oversized-header-crash'],
  },
  // Token kind.
  {
    id: 'access-token',
    clause: 'an access token instead of the ID token',
    sends: "the user's genuine access token (`token_use: access`)",
    defects: ['access-token'],
    why: "a method without OAuth scopes accepts only ID tokens; Postman's OAuth helper sends the access token",
    built: 'sign-in',
    appliesTo: 'id-token-methods',
    sources: [{ source: 'cognito', detail: 'ID token vs access token' }, bcp('§2.8 cross-JWT confusion')],
    catches: ['token-use-unchecked'],
  },
  {
    id: 'token-use-case',
    clause: 'a genuinely signed token whose token_use is in upper case',
    sends: 'P with `token_use` upper-cased (`ID`, `ACCESS`), signed with the pool key',
    defects: ['odd-claims'],
    why: 'a case-insensitive comparison of the token kind',
    built: 'pool-key',
    sources: [bcp('§3.12 mutually exclusive validation rules')],
    catches: ['token-use-unchecked', 'token-use-case-insensitive'],
  },
  {
    id: 'token-use-missing',
    clause: 'a genuinely signed token without token_use',
    sends: 'P without `token_use`, signed with the pool key',
    defects: ['odd-claims'],
    why: 'a token-kind check that passes when the claim is absent',
    built: 'pool-key',
    sources: [bcp('§3.11 explicit typing, §3.12')],
    catches: ['token-use-unchecked', 'token-use-optional'],
  },
  // Issuer.
  {
    id: 'issuer-other-pool',
    clause: 'a token from another issuer',
    sends: 'P with `iss` = the same host and another pool id, signed with the pool key',
    defects: ['foreign-issuer'],
    why: 'a token from another pool or stage must not open this API',
    built: 'pool-key',
    sources: [bcp('§3.8 validate issuer and subject'), wstg('issuer')],
    catches: ['issuer-unchecked'],
  },
  {
    id: 'issuer-suffix',
    clause: "a token whose issuer extends the pool's issuer",
    sends: "P with `iss` = the pool's issuer followed by `x`, signed with the pool key",
    defects: ['foreign-issuer'],
    why: 'an issuer compared with startsWith',
    built: 'pool-key',
    sources: [bcp('§3.8')],
    catches: ['issuer-unchecked', 'issuer-starts-with'],
  },
  {
    id: 'issuer-prefix',
    clause: "a token whose issuer ends with the pool's issuer",
    sends:
      "P with `iss` = `https://attacker.example/` followed by the pool's issuer, signed with the pool key",
    defects: ['foreign-issuer'],
    why: 'an issuer compared with endsWith or includes',
    built: 'pool-key',
    sources: [bcp('§3.8')],
    catches: ['issuer-unchecked', 'issuer-ends-with'],
  },
  {
    id: 'issuer-case',
    clause: "a token whose issuer differs from the pool's in case",
    sends: "P with the pool id's letters in `iss` case-swapped, signed with the pool key",
    defects: ['foreign-issuer'],
    why: 'an issuer compared without regard to case',
    built: 'pool-key',
    sources: [bcp('§3.8')],
    catches: ['issuer-unchecked', 'issuer-case-insensitive'],
  },
  {
    id: 'iss-array',
    clause: 'a genuinely signed token whose issuer is an array',
    sends: "P with `iss` = `[<the pool's issuer>]`, signed with the pool key",
    defects: ['odd-claims'],
    why: 'claim checks that accept an array containing the expected value',
    built: 'pool-key',
    sources: [{ source: 'rfc7519', detail: '§4.1.1 iss is a StringOrURI' }],
    catches: ['issuer-unchecked', 'crash-on-unexpected-types', 'iss-array-contains'],
  },
  {
    id: 'iss-array-attacker-first',
    clause: "a genuinely signed token whose issuer array names an attacker's issuer first",
    sends: 'P with `iss` = `["https://attacker.example", <the pool\'s issuer>]`, signed with the pool key',
    defects: ['odd-claims'],
    why: 'a check that finds the pool among several issuers, while the application trusts the first',
    built: 'pool-key',
    sources: [cve('CVE-2025-30144'), { source: 'rfc7519', detail: '§4.1.1 iss' }],
    catches: ['issuer-unchecked', 'crash-on-unexpected-types', 'iss-array-contains'],
  },
  // Time.
  {
    id: 'expired',
    clause: 'a genuinely signed but expired token',
    sends: 'P with `exp` an hour ago, signed with the pool key',
    defects: ['expired'],
    why: 'a stolen token must stop working; only a genuine signature proves exp is checked',
    built: 'pool-key',
    sources: [
      jt('manual: expired token reuse'),
      wstg('expiration'),
      { source: 'cognito', detail: '"The incoming token has expired"' },
    ],
    catches: ['exp-unchecked'],
  },
  {
    id: 'exp-missing',
    clause: 'a genuinely signed token without exp',
    sends: 'P without `exp`, signed with the pool key',
    defects: ['odd-claims'],
    why: 'a token that never expires',
    built: 'pool-key',
    sources: [bcp('§3.1'), { source: 'rfc7519', detail: '§4.1.4 exp' }],
    catches: ['exp-unchecked', 'exp-optional'],
  },
  {
    id: 'exp-string',
    clause: 'a genuinely signed token whose exp is a string',
    sends: 'P with `exp` as a JSON string of its number, signed with the pool key',
    defects: ['odd-claims'],
    why: 'claim checks that coerce types',
    built: 'pool-key',
    sources: [{ source: 'rfc7519', detail: '§2 NumericDate' }],
    catches: ['exp-unchecked', 'crash-on-unexpected-types', 'exp-coerced'],
  },
] as const satisfies readonly AttackRow[];

/** Each row's literal id and `built`, the rest as AttackRow has it (so `catches` stays WeaknessId[]). */
type Keyed<R> = R extends { readonly id: infer I; readonly built: infer B }
  ? AttackRow & { readonly id: I; readonly built: B }
  : never;
/** A row as the catalogue has it, its id and `built` as literal types. */
export type CatalogueRow = Keyed<(typeof ROWS)[number]>;
export const ATTACKS: readonly CatalogueRow[] = ROWS;
/** Every row id of the catalogue: a registry keyed by it is checked for a missing row by the compiler. */
export type AttackId = CatalogueRow['id'];
/** The ids of the rows whose token is made where `built` says (a builder registry's keys). */
export type AttackIdBuiltBy<B extends BuiltBy> = Extract<CatalogueRow, { readonly built: B }>['id'];

export function attackById(id: string): AttackRow {
  const row = ATTACKS.find((candidate) => candidate.id === id);
  if (row === undefined) throw new Error(`no attack row "${id}" in security/catalogue.ts`);
  return row;
}

/** Rows by where their token is made. */
export function rowsBuiltBy(built: BuiltBy): readonly AttackRow[] {
  return ATTACKS.filter((row) => row.built === built);
}
