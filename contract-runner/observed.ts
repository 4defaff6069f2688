/**
 * What a clause observed when no response came back, in words: a timeout, a refused or reset
 * connection, a name that does not resolve. Without this the clause's own checks speak instead, and
 * they were written for a response: with none, "the greeting is absent" fails as "the greeting leaked"
 * and "not a 5xx" as "the gateway failed with a server error", which sends QA after an API bug that is
 * not there. newman-run.ts rewrites the request error and every check that failed for want of a response
 * with these sentences as they happen, so the console, the HTML, JUnit and summary.json all say the same.
 */

export interface RequestErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
}

/** One sentence fragment, e.g. "no response within 1 ms, the --timeout-request limit (ESOCKETTIMEDOUT)". */
export function describeNoResponse(error: RequestErrorLike, timeoutRequestMs: number): string {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const message =
    typeof error.message === 'string' ? error.message : String(error.message ?? 'unknown error');
  const where =
    typeof error.address === 'string' && typeof error.port === 'number'
      ? ` by ${error.address}:${error.port}`
      : '';
  switch (code ?? message) {
    case 'ESOCKETTIMEDOUT':
      return `no response within ${timeoutRequestMs} ms, the --timeout-request limit (ESOCKETTIMEDOUT)`;
    case 'ETIMEDOUT':
      return `no connection within ${timeoutRequestMs} ms, the --timeout-request limit (ETIMEDOUT)`;
    case 'ECONNREFUSED':
      return `no response: connection refused${where}, nothing listens there (ECONNREFUSED)`;
    case 'ECONNRESET':
      return 'no response: the connection was reset before an answer came (ECONNRESET)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `no response: the host name does not resolve (${code})`;
    default:
      return /socket hang up/i.test(message)
        ? 'no response: the server closed the connection without answering (socket hang up)'
        : `no response: ${message}`;
  }
}

/** The message of a check that failed because there was no response to check. */
export function uncheckedForWantOfResponse(observed: string): string {
  return `not checked, ${observed}`;
}
