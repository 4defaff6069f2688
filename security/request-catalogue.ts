/**
 * The request catalogue: the second dimension of the contract. security/catalogue.ts varies the token;
 * this table varies where and how a request is sent (the token's placement, the path's spelling,
 * client-supplied routing metadata, the Host) and what a request leaves behind for the next one
 * (sequences). Each row names its sources, the fact in docs/reference.md §13 that decides its answer
 * with that fact's grade, and the weaknesses it is meant to catch; collections/request-clauses.ts makes
 * its clauses for every protected method (scope `method`) or every resource with a protected method
 * (scope `resource`), and the mutation proof (tests/contract/support/request-weaknesses.ts) runs a
 * gateway wrong in each named way and demands that exactly that weakness's clauses fail.
 *
 * Every row names the graded facts (security/facts.ts) its answer rests on; collections/assertions.ts
 * makes its checks from them. An open fact is never asserted unless `--strict` names it: a row whose
 * exact answer is open asserts "never let through, never the integration" and leaves the 4xx to
 * `--strict request-variant-status`.
 */
import type { SourceRef } from './catalogue.ts';
import type { FactId } from './facts.ts';

/**
 * Ways a gateway can be wrong about a request rather than a token. Each is implemented as a weakened
 * local gateway by tests/contract/support/request-weaknesses.ts (a type error there if one is missing).
 */
export const REQUEST_WEAKNESSES = {
  'token-from-query':
    'reads the token from the query string (?id_token= or ?access_token=) when the header is absent',
  'token-from-cookie':
    "reads the token from Amplify's CognitoIdentityServiceProvider.<clientId>.<user>.idToken cookie",
  'token-from-x-access-token': 'reads the token from an X-Access-Token header when Authorization is absent',
  'identity-header-case-sensitive':
    'reads the identity header only when it is spelled exactly "Authorization"',
  'session-cookie': 'sets a session cookie on an authorized answer and later accepts that cookie alone',
  'response-cache': 'caches an authorized GET and serves it to later callers without a token',
  'dot-segments-unprotected':
    'resolves dot segments (/x/../hello, /./hello, %2e) and routes the result without the authorizer',
  'path-parameters-unprotected':
    'strips ;parameters from a segment (/hello;x=1) and routes the result without the authorizer',
  'extension-unprotected':
    'strips a file extension (/hello.json) and routes the result without the authorizer',
  'method-override-honoured': 'routes by X-HTTP-Method-Override after authorizing by the request-line method',
  'rewrite-url-honoured':
    'routes by X-Original-URL or X-Rewrite-URL after authorizing by the request-line path',
  'forwarded-for-trusted': 'lets a request from a private X-Forwarded-For address through without a token',
  'host-localhost-trusted':
    'lets a request with Host: localhost through without a token (an "internal" caller)',
  'refusal-oracle': 'says why it refused in a header of its own (X-Auth-Error: signature invalid)',
  'issuer-discovery':
    "fetches keys from the token's own issuer (<iss>/.well-known/jwks.json) when iss ends with the pool id",
  'jwks-cache-key-collision':
    "caches keys fetched from the token's issuer under alg:kid:issuer joined unencoded, before checking iss: a kid with a colon names another issuer's entry, so one refused token's key set serves the next (get-jwks 11.0.1, CVE-2025-59936)",
  'slow-refusal':
    'stalls for seconds before refusing a kid that looks like a shell command (a command run for the kid)',
} as const;
export type RequestWeaknessId = keyof typeof REQUEST_WEAKNESSES;

/** Where the token goes instead of the identity header (which is then absent). */
export type TokenPlacement =
  | { readonly in: 'query'; readonly name: 'id_token' | 'access_token' }
  /** Amplify's cookie name, filled in the sandbox from the token's client id and user name. */
  | { readonly in: 'amplify-cookie' }
  | { readonly in: 'header'; readonly name: string };

/** What a request row's clause sends, as data the sandbox applies (collections/sandbox/contract-lib.ts). */
export interface RequestShape {
  /** The live token, placed somewhere else than the identity header. */
  readonly token?: TokenPlacement;
  /** The live token in the identity header, its name spelled in lower case (`authorization`). */
  readonly identityHeaderCase?: 'lower';
  /** Extra request headers (routing metadata, Host). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A token built in the sandbox (collections/sandbox/attack-builders.ts) sent in the identity header,
   * for rows that need the attacker server.
   */
  readonly built?: 'issuer-discovery' | 'colliding-kid';
}

/** What must come back. */
export type RequestExpect =
  /** 401 {"message":"Unauthorized"} (the identity header is absent or its token refused). */
  | 'unauthorized'
  /** The method's authorized answer. */
  | 'accepted'
  /** Never let through, never the integration; which 4xx is open (`--strict request-variant-status`). */
  | 'not-integration';

/** How the path is spelled, relative to the resource's request path (`P`). */
export type PathSpelling =
  | { readonly kind: 'as-is' }
  | { readonly kind: 'spelled'; readonly label: string; readonly make: (path: string) => string }
  /** Another path (one the description does not define), with the resource named in a header. */
  | { readonly kind: 'undefined-path' };

/** When a sequence row runs, relative to the method's other clauses (collections/request-clauses.ts). */
export type Phase =
  /** Right after the method's no-header clause, before any token was accepted. */
  | 'before-accepted'
  /** Right after the accepted clauses: state an accepted request left behind is in place. */
  | 'after-accepted'
  /** After every clause of the method's attack rows. */
  | 'after-attacks'
  /** For each resource, after its undefined-method and path-variant clauses. */
  | 'resource'
  /** The very end of the contract, after every other clause. */
  | 'end';

export interface RequestRow {
  readonly id: string;
  readonly dimension: 'placement' | 'path' | 'routing' | 'sequence' | 'issuer';
  /** The clause sentence's subject, e.g. `the ID token in the query string as ?id_token=`. */
  readonly clause: string;
  /** What the request carries, for the docs table (Markdown). */
  readonly sends: string;
  readonly why: string;
  readonly method?: 'as-defined' | 'POST';
  readonly path: PathSpelling;
  readonly shape: RequestShape;
  readonly expect: RequestExpect;
  readonly phase: Phase;
  /** The graded facts (security/facts.ts, docs/reference.md §13) the row's answer rests on. */
  readonly facts: readonly FactId[];
  readonly sources: readonly SourceRef[];
  readonly catches: readonly RequestWeaknessId[];
  /**
   * Rows of one sequence run in the order written, after every clause before them in the same run:
   * a parallel planner must keep a sequence and everything before it in one Newman run.
   */
  readonly sequence?: string;
  /** Why the row cannot run somewhere, where that is so (shown with SKIPPED there). */
  readonly needs?: string;
  /**
   * The catalogue row (security/catalogue.ts) whose token has the same defect (the same claims and
   * signature kind, another kid at most): whatever verifier falls to that row falls to this one too.
   */
  readonly sameTokenAs?: string;
}

const rfc6750 = (detail: string): SourceRef => ({ source: 'rfc6750', detail });
const rfc9700 = (detail: string): SourceRef => ({ source: 'rfc9700', detail });
const wstg = (detail: string): SourceRef => ({ source: 'wstg-guide', detail });
const ps = (detail: string): SourceRef => ({ source: 'portswigger-labs', detail });
const asIs: PathSpelling = { kind: 'as-is' };

/** Facts several rows share: only the identity header is read; no request leaves state for the next. */
const HEADER_ABSENT: readonly FactId[] = ['token-elsewhere-not-read'];
const STATE: readonly FactId[] = ['no-state-between-requests'];

export const QUERY_TOKEN_NEEDS =
  "a runner that redacts tokens from every report's URLs (npm run contract does; bare Newman's and the Postman app's reports would show the token)";
export const ATTACKER_SERVER_NEEDS =
  'the attacker server reachable from the API (npm run contract starts one where the API is on loopback)';

export const REQUEST_ROWS: readonly RequestRow[] = [
  // Where the token is read from: only the identity header.
  ...(['id_token', 'access_token'] as const).map(
    (name): RequestRow => ({
      id: `query-${name.replace('_', '-')}`,
      dimension: 'placement',
      clause: `the token in the query string as its ${name} parameter (no Authorization header)`,
      sends: `\`?${name}=T\`, no Authorization header`,
      why: 'a gateway or framework that falls back to the URI query parameter (RFC 6750 §2.3), which leaks tokens into logs',
      path: asIs,
      shape: { token: { in: 'query', name } },
      expect: 'unauthorized',
      phase: 'before-accepted',
      facts: HEADER_ABSENT,
      sources: [rfc6750('§2.3 URI query parameter; §5.3 do not pass tokens in page URLs'), rfc9700('§4.3.2')],
      catches: ['token-from-query'],
      needs: QUERY_TOKEN_NEEDS,
    }),
  ),
  {
    id: 'amplify-cookie',
    dimension: 'placement',
    clause:
      "the token in Amplify's CognitoIdentityServiceProvider.<clientId>.<user>.idToken cookie (no Authorization header)",
    sends: '`Cookie: CognitoIdentityServiceProvider.<aud>.<user>.idToken=T`, no Authorization header',
    why: 'a gateway that reads the session a browser front end keeps in cookies, so any cross-site request carries it',
    path: asIs,
    shape: { token: { in: 'amplify-cookie' } },
    expect: 'unauthorized',
    phase: 'before-accepted',
    facts: HEADER_ABSENT,
    sources: [{ source: 'amplify', detail: 'cookie storage' }, wstg('WSTG-SESS-02 cookie attributes')],
    catches: ['token-from-cookie'],
  },
  {
    id: 'x-access-token',
    dimension: 'placement',
    clause: 'the token in an X-Access-Token header (no Authorization header)',
    sends: '`X-Access-Token: T`, no Authorization header',
    why: 'a middleware that looks for the token in several headers (a common Express pattern) instead of the configured one',
    path: asIs,
    shape: { token: { in: 'header', name: 'X-Access-Token' } },
    expect: 'unauthorized',
    phase: 'before-accepted',
    facts: HEADER_ABSENT,
    sources: [rfc6750('§2 only the Authorization header, form body or query'), wstg('WSTG-ATHN-04')],
    catches: ['token-from-x-access-token'],
  },
  {
    id: 'identity-header-lowercase',
    dimension: 'placement',
    clause: 'the token in the identity header spelled in lower case ("authorization")',
    sends: '`authorization: T`',
    why: 'HTTP field names are case-insensitive: a gateway that only reads one spelling refuses good callers behind proxies that lower-case headers (HTTP/2 always does)',
    path: asIs,
    shape: { identityHeaderCase: 'lower' },
    expect: 'accepted',
    phase: 'after-accepted',
    facts: ['identity-header-any-case'],
    sources: [{ source: 'rfc9110', detail: '§5.1 field names' }],
    catches: ['identity-header-case-sensitive'],
  },
  // State that outlives a token.
  {
    id: 'no-token-after-accepted',
    dimension: 'sequence',
    clause: 'without a token right after the token was accepted (the run keeps its cookies)',
    sends: 'no Authorization header; whatever cookies earlier answers set',
    why: 'a session cookie set on the authorized answer, or an authorized GET cached and served to anyone',
    path: asIs,
    shape: {},
    expect: 'unauthorized',
    phase: 'after-accepted',
    facts: STATE,
    sources: [wstg('WSTG-SESS-03 session fixation; WSTG-ATHN-06 browser cache'), ps('web cache deception')],
    catches: ['session-cookie', 'response-cache'],
    sequence: 'state-after-accepted',
  },
  {
    id: 'no-token-at-end',
    dimension: 'sequence',
    clause: 'without a token at the very end of the contract (the run keeps its cookies)',
    sends: 'no Authorization header, after every other clause',
    why: 'state any earlier request left behind (a cookie, a cache entry, a remembered key) must not let a caller without a token in',
    path: asIs,
    shape: {},
    expect: 'unauthorized',
    phase: 'end',
    facts: STATE,
    sources: [wstg('WSTG-SESS-03'), ps('web cache poisoning')],
    catches: ['session-cookie', 'response-cache'],
    sequence: 'state-at-end',
  },
  // Keys found through the token (attacker server).
  {
    id: 'issuer-discovery',
    dimension: 'issuer',
    clause:
      "a token signed by the attacker whose iss is on the attacker's server and ends in the pool's issuer",
    sends:
      "T's claims with `iss` = `<attacker server>/keys:<T's iss>`, `kid` the attacker's, signed by the attacker (who serves `<iss>/.well-known/jwks.json`)",
    why: "a verifier that discovers keys from the token's own issuer and checks only that iss ends with the pool id",
    path: asIs,
    shape: { built: 'issuer-discovery' },
    expect: 'unauthorized',
    phase: 'after-attacks',
    facts: ['keys-from-pool-only'],
    sources: [
      rfc9700('§4.4 mix-up: issuer identification'),
      { source: 'cve', detail: 'CVE-2025-59936 (get-jwks)' },
    ],
    catches: ['issuer-discovery'],
    sequence: 'key-set-poisoning',
    needs: ATTACKER_SERVER_NEEDS,
  },
  {
    id: 'colliding-kid-after-discovery',
    dimension: 'issuer',
    clause:
      "a token signed by the attacker under the pool's issuer whose kid makes its key-cache entry the one the row above filled",
    sends:
      "T's claims (the pool's `iss`) with `kid` = `<attacker kid>:<attacker server>/keys`, signed by the attacker, straight after the row above: `RS256:<kid>:<T's iss>/` is the cache key the row above's key set was stored under",
    why: "a key cache whose key joins alg, kid and issuer without encoding keeps the key set a refused token named and serves it for the pool's issuer (get-jwks before 11.0.3, CVE-2025-59936)",
    path: asIs,
    shape: { built: 'colliding-kid' },
    expect: 'unauthorized',
    phase: 'after-attacks',
    facts: ['keys-from-pool-only'],
    sources: [{ source: 'cve', detail: 'CVE-2025-59936 (get-jwks < 11.0.2)' }],
    catches: ['jwks-cache-key-collision'],
    // Like that row, an attacker's signature over T's claims under a kid the pool does not have.
    sameTokenAs: 'attacker-key-unknown-kid',
    sequence: 'key-set-poisoning',
    needs: ATTACKER_SERVER_NEEDS,
  },
  // Paths that are not the resource.
  ...(
    [
      [
        'dot-dot',
        'with a ../ segment',
        (p: string) => p.replace(/\/([^/]+)$/, '/x/../$1'),
        'dot-segments-unprotected',
      ],
      [
        'dot',
        'with a ./ segment',
        (p: string) => p.replace(/\/([^/]+)$/, '/./$1'),
        'dot-segments-unprotected',
      ],
      [
        'encoded-dot-dot',
        'with a percent-encoded ../ segment',
        (p: string) => p.replace(/\/([^/]+)$/, '/x/%2e%2e/$1'),
        'dot-segments-unprotected',
      ],
      ['path-parameter', 'with a ;parameter', (p: string) => `${p};x=1`, 'path-parameters-unprotected'],
      ['extension', 'with a .json extension', (p: string) => `${p}.json`, 'extension-unprotected'],
    ] as const
  ).map(
    ([id, label, make, weakness]): RequestRow => ({
      id: `path-${id}`,
      dimension: 'path',
      clause: `its path ${label}`,
      sends: `the path ${label}, no Authorization header`,
      why: 'a front end that normalises or strips the path after the access decision routes an unguarded spelling to the Lambda',
      path: { kind: 'spelled', label, make },
      shape: {},
      expect: 'not-integration',
      phase: 'resource',
      facts: [id.includes('dot') ? 'dot-segments-not-integration' : 'path-spelling-not-resource'],
      sources: [
        { source: 'rfc3986', detail: '§5.2.4 remove dot segments; §3.3 path parameters' },
        ps('path traversal; Spring/Tomcat path parameter and suffix matching'),
        wstg('WSTG-ATHZ-02'),
      ],
      catches: [weakness],
    }),
  ),
  // Client-supplied routing metadata.
  {
    id: 'method-override',
    dimension: 'routing',
    clause: 'POST with X-HTTP-Method-Override naming the protected method',
    sends: '`POST` with `X-HTTP-Method-Override: <method>`, no Authorization header',
    why: 'a gateway that authorizes the request-line method and routes by the override',
    method: 'POST',
    path: asIs,
    shape: { headers: { 'X-HTTP-Method-Override': '{{method}}' } },
    expect: 'not-integration',
    phase: 'resource',
    facts: ['request-line-routes'],
    sources: [wstg('WSTG-CONF-06 HTTP methods (method override)'), ps('access control: method-based bypass')],
    catches: ['method-override-honoured'],
  },
  ...(['X-Original-URL', 'X-Rewrite-URL'] as const).map(
    (name): RequestRow => ({
      id: name.toLowerCase(),
      dimension: 'routing',
      clause: `an undefined path with ${name} naming the resource`,
      sends: `an undefined path with \`${name}: <stage path>\`, no Authorization header`,
      why: 'a gateway that decides access on the request-line path and routes by the rewrite header',
      path: { kind: 'undefined-path' },
      shape: { headers: { [name]: '{{stagePath}}' } },
      expect: 'not-integration',
      phase: 'resource',
      facts: ['request-line-routes'],
      sources: [ps('access control lab: URL-based access control can be circumvented'), wstg('WSTG-ATHZ-02')],
      catches: ['rewrite-url-honoured'],
    }),
  ),
  {
    id: 'forwarded-for-private',
    dimension: 'routing',
    clause: 'with X-Forwarded-For naming a private address (no Authorization header)',
    sends: '`X-Forwarded-For: 10.0.0.1`, no Authorization header',
    why: 'an allow-list for "internal" callers that trusts a header any client can send',
    path: asIs,
    shape: { headers: { 'X-Forwarded-For': '10.0.0.1' } },
    expect: 'unauthorized',
    phase: 'resource',
    facts: HEADER_ABSENT,
    sources: [wstg('WSTG-ATHZ-02 (X-Forwarded-For)'), ps('authentication bypass via IP spoofing')],
    catches: ['forwarded-for-trusted'],
  },
  {
    id: 'host-localhost',
    dimension: 'routing',
    clause: 'with Host: localhost (no Authorization header)',
    sends: '`Host: localhost`, no Authorization header',
    why: 'an admin or "internal" path that trusts the Host header',
    path: asIs,
    shape: { headers: { Host: 'localhost' } },
    expect: 'not-integration',
    phase: 'resource',
    facts: ['other-host-not-api'],
    sources: [ps('host header attacks: authentication bypass via Host'), wstg('WSTG-INPV-17')],
    catches: ['host-localhost-trusted'],
    needs: 'a runner that lets a request set Host (Newman and the Postman app do)',
  },
];

export function requestRowById(id: string): RequestRow {
  const row = REQUEST_ROWS.find((candidate) => candidate.id === id);
  if (row === undefined) throw new Error(`no request row "${id}"`);
  return row;
}
