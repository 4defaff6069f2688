/**
 * Narrowing values that come from outside (parsed JSON, thrown errors) before reading them: one test of
 * "a plain object" for every module that validates at a boundary.
 */

/** A JSON object (not null, not an array), its fields still unknown. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Node system error's code (`ENOENT`, `EACCES`, …), or undefined for anything else thrown. */
export function errorCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
}
