/**
 * What every refusal is held to beyond its status and body, as data the collection's sandbox imports
 * (kept apart from security/request-catalogue.ts so the sandbox bundle carries these constants only).
 */

/**
 * Headers API Gateway's own refusals carry (docs/reference.md §13.3, likely), plus CloudFront's on an
 * edge-optimised endpoint and the hop-by-hop Keep-Alive an HTTP/1.1 connection may add. A deployment
 * with CORS or customised gateway responses widens it with `refusal_headers`.
 */
export const DEFAULT_REFUSAL_HEADERS = [
  'Content-Type',
  'Content-Length',
  'Connection',
  'Keep-Alive',
  'Date',
  'x-amzn-RequestId',
  'x-amzn-ErrorType',
  'x-amz-apigw-id',
  'Via',
  'X-Cache',
  'X-Amz-Cf-Pop',
  'X-Amz-Cf-Id',
] as const;

/**
 * The slowdown bound: a refused request may take at most factor × the genuine request's time plus the
 * margin (docs/reference.md §13.8). Generous on purpose: both numbers must hold on a loaded CI machine,
 * while a stall of seconds (a command run for a kid, a fetch to a black hole) still stands out well
 * under max_response_ms.
 */
export const SLOWDOWN_DEFAULTS = { factor: 10, marginMs: 2500 } as const;
