/**
 * The contract's clauses by their exact names, written out here rather than imported from the
 * collection's builder: a mutation test that names the clause it expects to fail must break when a
 * clause is renamed or dropped, not silently follow the rename.
 */

export const TUTORIAL = "The tutorial's contract";
export const SECURITY = 'Security: tokens that must be refused';

export const clause = {
  noHeader: 'GET /hello without an Authorization header is refused with 401 Unauthorized',
  rawToken: 'GET /hello with the raw ID token as the Authorization header reaches the Lambda',
  bearerToken: 'GET /hello with "Bearer " and the ID token reaches the Lambda',
  post: 'POST /hello without an Authorization header is answered 403 Missing Authentication Token',
  undefinedPath:
    'GET on an undefined path without an Authorization header is answered 403 Missing Authentication Token',
  emptyHeader: 'An empty Authorization header is refused with 401 Unauthorized',
  garbage: 'A garbage token is refused with 401 Unauthorized',
  twoParts: 'A token with only two parts is refused with 401 Unauthorized',
  tamperedPayload: 'A token whose payload was changed after signing is refused with 401 Unauthorized',
  signatureRemoved: 'A token whose signature was removed is refused with 401 Unauthorized',
  algNone: 'A token with alg "none" is refused with 401 Unauthorized',
  hs256: "An HS256 token keyed with the pool's public key is refused with 401 Unauthorized",
  otherKeyPoolKid:
    "An RS256 token signed by another key under the pool's kid is refused with 401 Unauthorized",
  otherKeyOwnKid: 'An RS256 token signed by another key under its own kid is refused with 401 Unauthorized',
  otherIssuer: 'A token from another issuer is refused with 401 Unauthorized',
  accessToken: 'An access token instead of the ID token is refused with 401 Unauthorized',
  expired: 'A genuinely signed but expired ID token is refused with 401 "The incoming token has expired"',
  oversized: 'An oversized Authorization header is refused with a 4xx, never a 5xx or the greeting',
} as const;

export const tutorialClauses = [
  clause.noHeader,
  clause.rawToken,
  clause.bearerToken,
  clause.post,
  clause.undefinedPath,
] as const;

export const securityClauses = [
  clause.emptyHeader,
  clause.garbage,
  clause.twoParts,
  clause.tamperedPayload,
  clause.signatureRemoved,
  clause.algNone,
  clause.hs256,
  clause.otherKeyPoolKid,
  clause.otherKeyOwnKid,
  clause.otherIssuer,
  clause.accessToken,
  clause.expired,
  clause.oversized,
] as const;

export const allClauses: readonly string[] = [...tutorialClauses, ...securityClauses];

/** Every clause whose token (or lack of one) the authorizer must refuse with a 401. */
export const refusedWith401: readonly string[] = [
  clause.noHeader,
  ...securityClauses.filter((name) => name !== clause.oversized),
];
