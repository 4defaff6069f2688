/**
 * Settings for a stack started in-process (the contract runner): the shape of `startStack()`'s
 * result, taken structurally so the helper does not depend on the local stack's module.
 */
import type { TokenSettings } from './config.ts';

export interface LocalStackLike {
  readonly apiUrl: string;
  readonly cognito: {
    readonly endpoint: string;
    readonly region: string;
    readonly userPoolId: string;
    readonly clientId: string;
    readonly issuer: string;
    readonly username: string;
    readonly password: string;
  };
}

export function settingsFromLocalStack(stack: LocalStackLike): TokenSettings {
  const { cognito } = stack;
  return {
    target: 'local',
    apiUrl: stack.apiUrl,
    region: cognito.region,
    userPoolId: cognito.userPoolId,
    clientId: cognito.clientId,
    cognitoEndpoint: cognito.endpoint,
    username: cognito.username,
    password: cognito.password,
    issuer: cognito.issuer,
  };
}
