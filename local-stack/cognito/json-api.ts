/**
 * The smallest client for Cognito's JSON protocol over real HTTP (the emulator's own in-process calls,
 * `RunningEmulator.call`, give the same answers and errors).
 * Seeding through the AWS SDK would work too, but loading the SDK costs more start-up time than the
 * whole emulator; the token helper is what exercises the SDK against this emulator.
 */

export class CognitoJsonApiError extends Error {
  override readonly name = 'CognitoJsonApiError';
  readonly operation: string;
  readonly type: string;
  constructor(operation: string, type: string, message: string) {
    super(`${operation} failed: ${type}: ${message}`);
    this.operation = operation;
    this.type = type;
  }
}

/** One Cognito JSON-protocol operation: over HTTP (`callCognito`) or in the emulator's process. */
export type CognitoCall = (
  operation: string,
  input: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

export async function callCognito(
  endpoint: string,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new CognitoJsonApiError(
      operation,
      'InvalidResponse',
      `HTTP ${response.status} with a non-JSON body`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CognitoJsonApiError(
      operation,
      'InvalidResponse',
      `HTTP ${response.status} with a non-object body`,
    );
  }
  const body = parsed as Record<string, unknown>;
  if (!response.ok) {
    const type = typeof body.__type === 'string' ? body.__type : `HTTP ${response.status}`;
    const message = typeof body.message === 'string' ? body.message : 'no message';
    throw new CognitoJsonApiError(operation, type, message);
  }
  return body;
}

/** Reads `object[key1][key2]…` as a string, or fails naming the path: Cognito answers are untrusted. */
export function stringAt(value: unknown, ...path: string[]): string {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) break;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current !== 'string') {
    throw new CognitoJsonApiError('read', 'InvalidResponse', `expected a string at ${path.join('.')}`);
  }
  return current;
}
