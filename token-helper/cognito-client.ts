/**
 * The Cognito client the helper signs in with, bounded in time: each attempt gives up after
 * `timeoutMs`, and at most two attempts are made (one retry for throttling or a dropped connection),
 * so an unreachable or silent endpoint fails in a few seconds instead of the SDK's unlimited default.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { TokenSettings } from './config.ts';

export const DEFAULT_TIMEOUT_MS = 5_000;
export const MAX_ATTEMPTS = 2;

export interface CognitoClientOptions {
  /** Per-attempt limit for connecting and for the whole answer. */
  readonly timeoutMs?: number;
}

export function createCognitoClient(
  settings: TokenSettings,
  options: CognitoClientOptions = {},
): CognitoIdentityProviderClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint = settings.cognitoEndpoint;
  return new CognitoIdentityProviderClient({
    region: settings.region,
    maxAttempts: MAX_ATTEMPTS,
    // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
    ...(endpoint === undefined ? {} : { endpoint }),
    // cognito-local does not check signatures; static dummy credentials keep the SDK from searching
    // the machine for real ones (and from failing when there are none).
    ...(endpoint !== undefined && isLoopback(endpoint)
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}

/** Only a loopback emulator gets dummy credentials: a remote endpoint (e.g. a VPC endpoint) is real Cognito. */
export function isLoopback(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
