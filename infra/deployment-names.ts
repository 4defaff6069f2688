/**
 * Names shared by the CDK app and the root scripts that drive it. Kept free of aws-cdk-lib imports so
 * `npm run deploy` can parse the outputs (and `npm test` can check that parsing) without infra's install.
 */
import type { ConfigName } from '../common/config-table.ts';

export const STACK_NAME = 'CognitoApiContract';

/** Stack output name → the `.env` key the contract suite reads it from. */
export const OUTPUT_TO_ENV_KEY = {
  ApiUrl: 'API_URL',
  Region: 'AWS_REGION',
  UserPoolId: 'COGNITO_USER_POOL_ID',
  UserPoolClientId: 'COGNITO_CLIENT_ID',
} as const;

export type EnvBackedOutput = keyof typeof OUTPUT_TO_ENV_KEY;

/** Printed for people, not written to `.env`: nothing in the suite signs in through the hosted UI. */
export const HOSTED_UI_OUTPUT = 'HostedUiUrl';

/** The CDK context key (`cdk deploy -c domainPrefix=...`) and the `.env` key that fill it. */
export const DOMAIN_PREFIX_CONTEXT = 'domainPrefix';
export const DOMAIN_PREFIX_ENV_KEY = 'COGNITO_DOMAIN_PREFIX' satisfies ConfigName;
