/**
 * The checks a clause's answer can be held to, and their names. No runtime imports: the sandbox library
 * (collections/sandbox/contract-lib.ts) bundles this file to name its tests, and the reports name the
 * asserted checks the same way (collections/assertions.ts makes them, with the facts they rest on).
 */

/** One thing the answer must be. */
export type Check =
  | { readonly check: 'status'; readonly equals: number }
  /** A status in [min, max], e.g. any 4xx. */
  | { readonly check: 'status-range'; readonly min: number; readonly max: number }
  | { readonly check: 'not-5xx' }
  /** Not a 2xx or 3xx: the request was not let through. */
  | { readonly check: 'refused' }
  /** Exact bytes; '' for a HEAD answer. */
  | { readonly check: 'body'; readonly equals: string }
  /** Content-Type is application/json (every error API Gateway generates). */
  | { readonly check: 'json' }
  | { readonly check: 'error-type'; readonly equals: string }
  /** The authorized answer's body is not in the answer (the integration did not run). */
  | { readonly check: 'absent'; readonly text: string }
  /** Not a 401 or 403 refusal by the gateway (where the description does not say the answer). */
  | { readonly check: 'let-through' }
  | { readonly check: 'content-type'; readonly equals: string };

/** An assertion in words, as the sandbox names its test and the reports list it. */
export function describeCheck(check: Check): string {
  switch (check.check) {
    case 'status':
      return `Status is ${check.equals}`;
    case 'status-range':
      return check.min === 400 && check.max === 499
        ? 'Status is a 4xx'
        : `Status is ${check.min}-${check.max}`;
    case 'not-5xx':
      return 'Status is not a 5xx: the gateway did not fail';
    case 'refused':
      return 'Status is not a 2xx or 3xx: the request was not let through';
    case 'body':
      return check.equals === '' ? 'Body is empty' : `Body is exactly ${check.equals}`;
    case 'json':
      return 'Content-Type is application/json';
    case 'error-type':
      return `x-amzn-ErrorType is ${check.equals}`;
    case 'absent':
      return "The authorized answer's body is absent (the request never reached the integration)";
    case 'let-through':
      return 'The authorizer let the request through (no 401 or 403 from the gateway)';
    case 'content-type':
      return `Content-Type is ${check.equals}`;
  }
}
