/**
 * The token helper's public surface, for the contract runner and tests:
 *
 *   const result = await obtainToken(settingsFromLocalStack(stack), { write: false });
 *   newman.run({ environment: result.environment, ... });
 */
export type { AuthFlowSetting, UsedFlow } from './auth-flow.ts';
export { AUTH_FLOWS } from './auth-flow.ts';
export type { Target, TokenSettings } from './config.ts';
export { expectedIssuer, resolveSettings, resolveTarget, validateSettings } from './config.ts';
export type { Diagnosis } from './diagnosis.ts';
export {
  ConfigurationError,
  DIAGNOSES,
  DIAGNOSIS_CODES,
  diagnosisOf,
  SignInError,
} from './diagnosis.ts';
export type { IdTokenClaims, UnverifiedToken } from './jwt-claims.ts';
export { decodeIdToken, readUnverifiedToken } from './jwt-claims.ts';
export { settingsFromLocalStack } from './local-stack-settings.ts';
export type { ObtainTokenOptions, TokenResult } from './obtain-token.ts';
export {
  defaultOutPath,
  defaultTemplatePath,
  environmentTemplate,
  environmentTemplateRead,
  MIN_REMAINING_SECONDS,
  obtainToken,
} from './obtain-token.ts';
export type { PostmanEnvironment, PostmanVariable } from './postman-environment.ts';
export { computeSecretHash } from './secret-hash.ts';
export { formatSummary } from './summary.ts';
