/**
 * The graded facts every assertion of the contract rests on, as data. Each one is a statement of
 * docs/reference.md (which names the fact's id beside it: `fact:<id>`, kept in step by
 * tests/unit/facts.test.ts), with that section's grade:
 * - firm: asserted;
 * - likely: asserted, and a failure names the fact as the first suspect;
 * - open: never asserted unless the user opts in for that fact (`npm run contract -- --strict <id>`,
 *   collections/assertions.ts), and then as the project's documented guess (`guess`).
 * The generator (collections/generate.ts) makes every clause's assertions from these ids, so a report
 * can say of each clause which facts it asserted and how sure each one is.
 */

export const GRADES = ['firm', 'likely', 'open'] as const;
export type Grade = (typeof GRADES)[number];

export interface Fact {
  /** The section of docs/reference.md that states and grades it. */
  readonly section: number;
  readonly grade: Grade;
  /** The fact in one line. */
  readonly statement: string;
  /** For an open fact: what `--strict` asserts in its place (the local stack's documented guess). */
  readonly guess?: string;
}

export const FACTS = {
  'no-header-refused': {
    section: 1,
    grade: 'firm',
    statement:
      'A defined method without an Authorization header is answered 401 {"message":"Unauthorized"} with x-amzn-ErrorType UnauthorizedException.',
  },
  'refusal-skips-integration': {
    section: 1,
    grade: 'firm',
    statement: "Every refusal of the authorizer is API Gateway's own answer: the integration never runs.",
  },
  'error-is-json': {
    section: 2,
    grade: 'likely',
    statement: 'Every error API Gateway generates is declared Content-Type: application/json.',
  },
  'malformed-token-refused': {
    section: 1,
    grade: 'likely',
    statement:
      'A header that is empty, garbage, not three base64url parts, or has a part that is not a JSON object is answered 401 {"message":"Unauthorized"}, UnauthorizedException.',
  },
  'bad-signature-refused': {
    section: 1,
    grade: 'likely',
    statement:
      'A token whose signature does not verify (payload or header changed, signature removed, cut or replaced) is answered 401 {"message":"Unauthorized"}, UnauthorizedException.',
  },
  'foreign-key-refused': {
    section: 1,
    grade: 'likely',
    statement:
      'A token whose alg is not RS256, or whose key is not in the pool\'s key set (another key, a key the token carries, an unknown or missing kid) is answered 401 {"message":"Unauthorized"}, UnauthorizedException.',
  },
  'foreign-issuer-refused': {
    section: 1,
    grade: 'likely',
    statement:
      'A token whose iss is not exactly one of the authorizer\'s pools is answered 401 {"message":"Unauthorized"}, UnauthorizedException.',
  },
  'access-token-refused': {
    section: 1,
    grade: 'firm',
    statement:
      'A genuine access token on a method without OAuth scopes is answered 401 {"message":"Unauthorized"}, UnauthorizedException.',
  },
  'token-refusal-401': {
    section: 1,
    grade: 'likely',
    statement:
      'The authorizer of a method without OAuth scopes answers every token it refuses with status 401, whatever its message.',
  },
  'expired-refused': {
    section: 1,
    grade: 'likely',
    statement:
      'A genuine ID token whose exp has passed is answered 401 {"message":"The incoming token has expired"}.',
  },
  'expired-error-type': {
    section: 1,
    grade: 'open',
    statement: 'The x-amzn-ErrorType of the expired-token answer.',
    guess: 'UnauthorizedException',
  },
  'id-token-accepted': {
    section: 1,
    grade: 'firm',
    statement: 'The genuine ID token as the whole Authorization value passes, and the integration answers.',
  },
  'bearer-accepted': {
    section: 1,
    grade: 'likely',
    statement: 'The genuine token sent as "Bearer <jwt>" (capital B, one space) passes.',
  },
  'integration-answer': {
    section: 3,
    grade: 'firm',
    statement:
      "A request the authorizer lets through gets the integration's answer: status, body and Content-Type as the API description declares them.",
  },
  'broken-token-4xx': {
    section: 8,
    grade: 'likely',
    statement:
      'A token or Authorization header API Gateway cannot use at all (over its size limit) is refused with a 4xx; which 4xx is open.',
  },
  'token-never-5xx': {
    section: 8,
    grade: 'likely',
    statement: 'However broken or odd a token is, the gateway does not fail on it: never a 5xx.',
  },
  'pool-signed-odd-claims': {
    section: 8,
    grade: 'open',
    statement:
      'What API Gateway answers a token with a valid pool signature but claims Cognito never issues (no exp, no token_use, a token_use in another case, exp as a string, iss as an array); whether it is refused at all.',
    guess: 'refused with 401 {"message":"Unauthorized"}, UnauthorizedException',
  },
  'several-defects': {
    section: 1,
    grade: 'open',
    statement: 'Which refusal API Gateway gives when a token has several defects.',
    guess: "the refusal of the row's first defect (security/catalogue.ts lists defects in that order)",
  },
  'undefined-route-refused': {
    section: 2,
    grade: 'firm',
    statement:
      'A path or method the API does not define, without an Authorization header, is answered 403 {"message":"Missing Authentication Token"}, MissingAuthenticationTokenException.',
  },
  'undefined-route-sigv4': {
    section: 2,
    grade: 'firm',
    statement:
      'A path or method the API does not define, with an Authorization header, is answered 403 with x-amzn-ErrorType IncompleteSignatureException.',
  },
  'sigv4-complaint-text': {
    section: 2,
    grade: 'open',
    statement: 'The text of the IncompleteSignatureException answer (its wording has changed over time).',
  },
  'head-no-body': {
    section: 14,
    grade: 'firm',
    statement: 'A HEAD answer has no body, whatever the status (success, 401, 403).',
  },
  'head-error-as-get': {
    section: 14,
    grade: 'likely',
    statement:
      'A HEAD error carries the status and headers of the same error on other methods (Content-Type: application/json, x-amzn-ErrorType).',
  },
  'undefined-route-custom-header': {
    section: 14,
    grade: 'likely',
    statement:
      'A path or method the API does not define, with a token in a custom identity header but no Authorization header, is answered 403 Missing Authentication Token (the SigV4 complaint comes from an Authorization header).',
  },
  'path-variant-not-integration': {
    section: 8,
    grade: 'likely',
    statement:
      'A trailing slash, double slash, other letter case or percent-encoded form of a protected path never reaches the integration without a token.',
  },
  'path-variant-status': {
    section: 8,
    grade: 'open',
    statement: 'Which 4xx a spelling variant of a protected path gets.',
    guess:
      'a 4xx (the local gateway answers 403 Missing Authentication Token or 401 Unauthorized by variant)',
  },
  'scope-refused': {
    section: 8,
    grade: 'likely',
    statement:
      'A method with OAuth scopes refuses the ID token and an access token without one of its scopes; the integration never runs.',
  },
  'scope-refusal-status': {
    section: 1,
    grade: 'open',
    statement:
      "The status of that refusal: 401 in AWS's troubleshooting text, 403 in one third-party simulator.",
    guess: '401',
  },
  'scope-access-accepted': {
    section: 8,
    grade: 'firm',
    statement: 'On a method with OAuth scopes, an access token carrying one of them passes.',
  },
  'token-elsewhere-not-read': {
    section: 13,
    grade: 'firm',
    statement:
      'The authorizer reads the token only from its identity header: a token in the query string, a cookie or another header is not read, and with the identity header absent the answer is 401 {"message":"Unauthorized"}.',
  },
  'identity-header-any-case': {
    section: 13,
    grade: 'likely',
    statement: 'The identity header is found whatever the case of its name (authorization).',
  },
  'no-state-between-requests': {
    section: 13,
    grade: 'firm',
    statement:
      "Default gateway responses set no cookies and the authorizer's cache is keyed by the identity-header value: what one request left behind never lets a later request without a token in.",
  },
  'refusal-headers-own': {
    section: 13,
    grade: 'likely',
    statement:
      "A default 401 or 403 carries only API Gateway's own headers (and CloudFront's on an edge-optimised endpoint); a deployment's customised responses may add more, named in the settings.",
  },
  'request-line-routes': {
    section: 13,
    grade: 'likely',
    statement:
      'X-HTTP-Method-Override, X-Original-URL and X-Rewrite-URL are not honoured: the request line decides the route, so the override never reaches the integration.',
  },
  'path-spelling-not-resource': {
    section: 13,
    grade: 'likely',
    statement:
      'A path that matches no resource (/hello.json, /hello;x=1) is not the resource: it never reaches the integration without a token.',
  },
  'dot-segments-not-integration': {
    section: 13,
    grade: 'likely',
    statement:
      'A path with dot segments (/x/../hello, /./hello, %2e) never reaches the integration without the authorizer, whether or not a client, CloudFront or API Gateway resolves them (which one does is open).',
  },
  'other-host-not-api': {
    section: 13,
    grade: 'likely',
    statement:
      "A Host naming something other than the API's endpoint never reaches the integration without a token.",
  },
  'request-variant-status': {
    section: 13,
    grade: 'open',
    statement:
      'Which 4xx a request row that is not the method gets (another spelling, an override, another Host): 403 where no route matches, 401 where the method refuses for want of a token.',
    guess:
      'a 4xx (the local gateway: 403 Missing Authentication Token where nothing matches, 401 Unauthorized where the path resolves to the method)',
  },
  'keys-from-pool-only': {
    section: 13,
    grade: 'likely',
    statement:
      'The authorizer takes keys only from the configured pool\'s key set: an issuer elsewhere (even one ending in the pool id) or a key set a refused token named is never trusted; the token is answered 401 {"message":"Unauthorized"}.',
  },
  'refusal-not-slower': {
    section: 13,
    grade: 'likely',
    statement:
      "A refused request is not slower than an accepted one by more than noise: the bound is the settings' factor × the slowest accepted answer + their margin.",
  },
} as const satisfies Record<string, Fact>;

export type FactId = keyof typeof FACTS;

export const FACT_IDS = Object.keys(FACTS) as FactId[];

/** The open facts. */
export const OPEN_FACTS = FACT_IDS.filter((id) => FACTS[id].grade === 'open');

/** The open facts `--strict` can name: those with a guess to assert (the SigV4 text has none). */
export const STRICT_FACTS = OPEN_FACTS.filter((id) => (FACTS[id] as Fact).guess !== undefined);

/** The weakest grade among facts: an assertion is only as sure as the least sure fact it rests on. */
export function weakestGrade(ids: readonly FactId[]): Grade {
  let weakest: Grade = 'firm';
  for (const id of ids) {
    const grade: Grade = FACTS[id].grade;
    if (GRADES.indexOf(grade) > GRADES.indexOf(weakest)) weakest = grade;
  }
  return weakest;
}
