/**
 * When a token is fresh enough to use: one rule for the token helper (reuse a saved token or sign in),
 * the collection's sign-in (sign in again or not) and its environment check (a token that was not
 * valid when the run started makes the clauses that send it meaningless). Sandbox-safe: no Node API.
 *
 * Five minutes: a contract run against AWS takes well under a minute, so a token with this much left
 * outlives the run that starts with it, and with Cognito's default hour of validity it is replaced at
 * most once in twelve runs. Before, the helper said five minutes and the collection sixty seconds, so
 * a token the collection still used was one the helper had already replaced.
 */
export const FRESH_FOR_SECONDS = 5 * 60;

/** True when a token expiring at `expSeconds` (a JWT's `exp`) has more than FRESH_FOR_SECONDS left. */
export function isFresh(expSeconds: number, nowSeconds: number): boolean {
  return expSeconds - nowSeconds > FRESH_FOR_SECONDS;
}
