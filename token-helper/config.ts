/**
 * The token helper's configuration: where each value comes from, and the one check at the boundary.
 *
 * Precedence, highest first: flags, variables set in the process environment, then
 *  - target `local`: the running stack's settings file (`npm run stack` writes it); `.env` is not
 *    consulted for keys the stack provides, because `.env` usually describes the AWS deployment and
 *    mixing an AWS pool id with the emulator's endpoint only produces a confusing failure later;
 *  - target `aws` (or `local` without a running stack): `.env`.
 * Every missing, empty or malformed key is reported in one message, each with its fix.
 */
import {
  CONFIG_TABLE,
  type ConfigEntry,
  type ConfigName,
  type Env,
  flagOrEnv,
  rawConfigValue,
} from '../common/config-table.ts';
import {
  AUTH_FLOWS,
  type AuthFlowSetting,
  isAuthFlowSetting,
  isRefreshRotationSetting,
  REFRESH_ROTATIONS,
  type RefreshRotationSetting,
} from './auth-flow.ts';
import { ConfigurationError } from './diagnosis.ts';
import type { LocalStackFile } from './local-stack-file.ts';

export const TARGETS = ['local', 'aws'] as const;
export type Target = (typeof TARGETS)[number];

export interface TokenSettings {
  readonly target: Target;
  /** Stage invoke URL without a trailing slash, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/dev */
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** Cognito endpoint override (an emulator); unset for AWS. */
  readonly cognitoEndpoint?: string;
  readonly username: string;
  readonly password: string;
  /** Answer to NEW_PASSWORD_REQUIRED for a user an administrator created. */
  readonly newPassword?: string;
  /** The issuer tokens carry, when it is not `https://cognito-idp.<region>.amazonaws.com/<pool>` (an emulator). */
  readonly issuer?: string;
  /** How to sign in (auth-flow.ts); `auto` when unset. */
  readonly authFlow?: AuthFlowSetting;
  /** Whether the app client rotates refresh tokens (auth-flow.ts); `auto` (ask Cognito) when unset. */
  readonly refreshRotation?: RefreshRotationSetting;
}

type Field = Exclude<keyof TokenSettings, 'target' | 'issuer'>;

interface KeySpec {
  readonly env: ConfigName;
  readonly field: Field;
  /** Flag name without dashes, from the configuration table; secrets have none. */
  readonly flag?: string;
  readonly required: boolean;
  /** What a good value looks like, for the fix. */
  readonly example: string;
}

/** A setting of the token helper: its variable and flag come from the one table (common/config-table.ts). */
function key(env: ConfigName, field: Field, required: boolean, example: string): KeySpec {
  const entry: ConfigEntry = CONFIG_TABLE[env];
  return { env, field, required, example, ...(entry.flag === undefined ? {} : { flag: entry.flag }) };
}

export const CONFIG_KEYS: readonly KeySpec[] = [
  key(
    'API_URL',
    'apiUrl',
    true,
    'the stage invoke URL, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/dev',
  ),
  key('AWS_REGION', 'region', true, 'the pool region, e.g. us-east-1'),
  key('COGNITO_USER_POOL_ID', 'userPoolId', true, 'the user pool id, e.g. us-east-1_AbCdEf123'),
  key('COGNITO_CLIENT_ID', 'clientId', true, 'the app client id (letters and digits)'),
  key('COGNITO_CLIENT_SECRET', 'clientSecret', false, "the app client's secret, or nothing if it has none"),
  key(
    'COGNITO_ENDPOINT',
    'cognitoEndpoint',
    false,
    'an emulator URL like http://127.0.0.1:9229, or nothing for AWS',
  ),
  key('CONTRACT_USERNAME', 'username', true, 'the test user name'),
  key('CONTRACT_PASSWORD', 'password', true, "the test user's password"),
  key('CONTRACT_NEW_PASSWORD', 'newPassword', false, 'the permanent password to set on first sign-in'),
  key('CONTRACT_AUTH_FLOW', 'authFlow', false, `one of ${AUTH_FLOWS.join(', ')} (auto when empty)`),
  key(
    'COGNITO_REFRESH_ROTATION',
    'refreshRotation',
    false,
    `one of ${REFRESH_ROTATIONS.join(', ')} (auto when empty: REFRESH_TOKEN_AUTH, then DescribeUserPoolClient if Cognito refuses it)`,
  ),
];

export const FLAG_KEYS = CONFIG_KEYS.flatMap((spec) => (spec.flag === undefined ? [] : [spec.flag]));

type Origin =
  | { readonly kind: 'flag' }
  | { readonly kind: 'env' }
  | { readonly kind: 'dotenv' }
  | { readonly kind: 'stack'; readonly path: string }
  | { readonly kind: 'settings' };

interface RawValue {
  readonly value: string;
  readonly origin: Origin;
}

export interface ConfigSources {
  /** Usually process.env after `.env` was loaded into it. */
  readonly env: Env;
  /** Keys of `env` that came from `.env` rather than the process environment. */
  readonly dotenvKeys?: ReadonlySet<string>;
  /**
   * Flag values by flag name (`api-url`, …), each undefined when not given. Leave the whole object out
   * when the command has no such flags (`npm run contract`): messages then do not suggest them.
   */
  readonly flags?: Readonly<Record<string, string | undefined>>;
  /** The running local stack's settings, for target `local`. */
  readonly stack?: LocalStackFile;
  /** Path of the stack file, for messages. */
  readonly stackFileLabel?: string;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d{1,2})_[0-9A-Za-z]+$/;
/** cognito-local names its pools `local_<id>`. */
const EMULATOR_POOL_ID = /^local_[0-9A-Za-z]+$/;
const CLIENT_ID = /^[\w+]{1,128}$/;

export function resolveTarget(flagValue: string | undefined, env: Env): Target {
  const fromFlag = flagValue !== undefined;
  const value = flagOrEnv(flagValue, env, 'CONTRACT_TARGET') ?? CONFIG_TABLE.CONTRACT_TARGET.default;
  if (value === 'local' || value === 'aws') return value;
  const where = fromFlag ? '--target' : 'CONTRACT_TARGET';
  throw new ConfigurationError(
    'configuration-invalid',
    `Unknown target ${JSON.stringify(value)} in ${where}: use local (the embedded stack) or aws (the deployment).`,
  );
}

/** Settings for `target` from flags, environment, `.env` and the stack file; throws one UsageError listing every problem. */
export function resolveSettings(target: Target, sources: ConfigSources): TokenSettings {
  const { env, flags = {}, stack } = sources;
  const flagsAccepted = sources.flags !== undefined;
  const dotenvKeys = sources.dotenvKeys ?? new Set<string>();
  const stackLabel = sources.stackFileLabel ?? 'the local stack settings file';
  const raw = new Map<Field, RawValue>();
  for (const spec of CONFIG_KEYS) {
    const flagValue = spec.flag === undefined ? undefined : flags[spec.flag];
    const envValue = rawConfigValue(env, spec.env);
    const fromDotenv = dotenvKeys.has(spec.env);
    const stackValue =
      target === 'local' && stack !== undefined && spec.field in stack
        ? stack[spec.field as keyof LocalStackFile]
        : undefined;
    if (flagValue !== undefined) {
      raw.set(spec.field, { value: flagValue, origin: { kind: 'flag' } });
    } else if (envValue !== undefined && !(fromDotenv && target === 'local' && stack !== undefined)) {
      raw.set(spec.field, { value: envValue, origin: { kind: fromDotenv ? 'dotenv' : 'env' } });
    } else if (stackValue !== undefined) {
      raw.set(spec.field, { value: stackValue, origin: { kind: 'stack', path: stackLabel } });
    }
  }
  if (target === 'local' && stack === undefined) {
    const anyRequired = CONFIG_KEYS.some((spec) => spec.required && raw.get(spec.field)?.value);
    if (!anyRequired) {
      throw new ConfigurationError(
        'no-local-stack',
        `No local stack is running (${stackLabel} does not exist): start the local stack with \`npm run stack\` in another shell.`,
      );
    }
  }
  return check(target, raw, target === 'local' && stack === undefined, flagsAccepted);
}

/** Checks settings handed over in-process (e.g. by the contract runner) with the same rules. */
export function validateSettings(settings: TokenSettings): TokenSettings {
  const raw = new Map<Field, RawValue>();
  for (const spec of CONFIG_KEYS) {
    const value = settings[spec.field];
    if (value !== undefined) raw.set(spec.field, { value, origin: { kind: 'settings' } });
  }
  if (!TARGETS.includes(settings.target)) {
    throw new ConfigurationError(
      'configuration-invalid',
      `Unknown target ${JSON.stringify(settings.target)} in settings.target: use local or aws.`,
    );
  }
  const checked = check(settings.target, raw, false, false);
  return settings.issuer === undefined ? checked : { ...checked, issuer: settings.issuer };
}

interface Problem {
  readonly spec: KeySpec;
  readonly text: string;
}

function check(
  target: Target,
  raw: ReadonlyMap<Field, RawValue>,
  suggestStack: boolean,
  flagsAccepted: boolean,
): TokenSettings {
  const problems: Problem[] = [];
  const values = new Map<Field, string>();
  const endpointGiven = Boolean(raw.get('cognitoEndpoint')?.value);
  for (const spec of CONFIG_KEYS) {
    const entry = raw.get(spec.field);
    if (entry === undefined || entry.value === '') {
      if (spec.required) problems.push({ spec, text: describeAbsent(spec, entry, flagsAccepted) });
      continue;
    }
    const verdict = checkValue(spec.field, entry.value, endpointGiven);
    if (typeof verdict === 'string') {
      values.set(spec.field, verdict);
    } else {
      problems.push({
        spec,
        text: `${label(spec, entry.origin)} ${verdict.problem}: ${fixFor(spec, entry.origin)}`,
      });
    }
  }
  const region = values.get('region');
  const poolRegion = POOL_ID.exec(values.get('userPoolId') ?? '')?.[1];
  if (!endpointGiven && region !== undefined && poolRegion !== undefined && poolRegion !== region) {
    const spec = specFor('userPoolId');
    const origin = raw.get('userPoolId')?.origin ?? { kind: 'env' };
    problems.push({
      spec,
      text: `${label(spec, origin)} belongs to region ${poolRegion} but the region is ${region}: make the region and the pool id agree`,
    });
  }
  if (problems.length > 0) {
    const hint = suggestStack ? ' (or start the local stack with `npm run stack` in another shell)' : '';
    const list = problems.map((problem) => problem.text).join('; ');
    throw new ConfigurationError(
      'configuration-invalid',
      `The ${target} configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}${hint}: ${list}.`,
    );
  }
  const value = (field: Field): string => values.get(field) ?? '';
  type TextField = Exclude<Field, 'authFlow' | 'refreshRotation'>;
  const optional = (field: TextField): Partial<Record<TextField, string>> =>
    values.has(field) ? { [field]: value(field) } : {};
  const authFlow = values.get('authFlow');
  const refreshRotation = values.get('refreshRotation');
  return {
    target,
    apiUrl: value('apiUrl'),
    region: value('region'),
    userPoolId: value('userPoolId'),
    clientId: value('clientId'),
    username: value('username'),
    password: value('password'),
    ...optional('clientSecret'),
    ...optional('cognitoEndpoint'),
    ...optional('newPassword'),
    ...(authFlow !== undefined && isAuthFlowSetting(authFlow) ? { authFlow } : {}),
    ...(refreshRotation !== undefined && isRefreshRotationSetting(refreshRotation)
      ? { refreshRotation }
      : {}),
  };
}

function specFor(field: Field): KeySpec {
  const spec = CONFIG_KEYS.find((candidate) => candidate.field === field);
  if (spec === undefined) throw new Error(`no spec for ${field}`);
  return spec;
}

function label(spec: KeySpec, origin: Origin): string {
  switch (origin.kind) {
    case 'flag':
      return `--${spec.flag ?? spec.field}`;
    case 'env':
      return spec.env;
    case 'dotenv':
      return `${spec.env} (in .env)`;
    case 'stack':
      return `${spec.field} in ${origin.path}`;
    case 'settings':
      return `settings.${spec.field}`;
  }
}

function fixFor(spec: KeySpec, origin: Origin): string {
  switch (origin.kind) {
    case 'flag':
      return `pass ${spec.example}`;
    case 'env':
    case 'dotenv':
      return `set it to ${spec.example}`;
    case 'stack':
      return 'restart `npm run stack`';
    case 'settings':
      return `pass ${spec.example}`;
  }
}

function describeAbsent(spec: KeySpec, entry: RawValue | undefined, flagsAccepted: boolean): string {
  const flag = spec.flag === undefined || !flagsAccepted ? '' : ` or with --${spec.flag}`;
  if (entry === undefined)
    return `${spec.env} is missing: set it (in .env, see .env.example${flag}) to ${spec.example}`;
  return `${label(spec, entry.origin)} is empty: set it to ${spec.example}`;
}

type Verdict = string | { readonly problem: string };

/** Returns the normalised value, or what is wrong with it (never echoing a secret). */
function checkValue(field: Field, value: string, endpointGiven: boolean): Verdict {
  switch (field) {
    case 'apiUrl':
      return checkUrl(value, { allowPath: true });
    case 'cognitoEndpoint':
      return checkUrl(value, { allowPath: false });
    case 'region':
      return REGION.test(value) ? value : { problem: `(${quote(value)}) is not a region like us-east-1` };
    case 'userPoolId':
      if (POOL_ID.test(value) || (endpointGiven && EMULATOR_POOL_ID.test(value))) return value;
      return {
        problem: `(${quote(value)}) is not a user pool id like us-east-1_AbCdEf123${endpointGiven ? ' or local_abc123' : ''}`,
      };
    case 'clientId':
      return CLIENT_ID.test(value)
        ? value
        : { problem: `(${quote(value)}) is not an app client id (letters and digits)` };
    case 'username':
      if (/[\s\p{Cc}]/u.test(value)) return { problem: 'contains whitespace or control characters' };
      return value.length <= 128 ? value : { problem: 'is longer than 128 characters' };
    case 'clientSecret':
      return /^[\w+]{1,128}$/.test(value)
        ? value
        : { problem: 'is not a client secret (letters and digits)' };
    case 'authFlow':
      return isAuthFlowSetting(value) ? value : { problem: `(${quote(value)}) is not a sign-in flow` }; // the fix lists the flows
    case 'refreshRotation':
      return isRefreshRotationSetting(value)
        ? value
        : { problem: `(${quote(value)}) is not a rotation setting` }; // the fix lists them
    case 'password':
    case 'newPassword':
      if (/[\r\n]/.test(value)) return { problem: 'contains a line break' };
      if (value.trim() !== value) return { problem: 'starts or ends with whitespace' };
      return value;
  }
}

function checkUrl(value: string, options: { readonly allowPath: boolean }): Verdict {
  if (/\s/.test(value)) return { problem: 'contains whitespace (a copied line break?)' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'is not an http(s) URL' };
  if (url.username !== '' || url.password !== '') return { problem: 'contains a user name or password' };
  if (value.includes('?') || value.includes('#'))
    return { problem: 'has a query or fragment after the path' };
  if (!options.allowPath && url.pathname !== '/')
    return { problem: 'has a path (give only scheme, host and port)' };
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** The issuer an ID token for these settings must carry, when it is known in advance. */
export function expectedIssuer(settings: TokenSettings): string | undefined {
  if (settings.issuer !== undefined) return settings.issuer;
  if (settings.cognitoEndpoint !== undefined) return undefined;
  return `https://cognito-idp.${settings.region}.amazonaws.com/${settings.userPoolId}`;
}

/** The Cognito endpoint in use, for messages and for the environment's `cognito_endpoint`. */
export function cognitoEndpointOf(settings: Pick<TokenSettings, 'cognitoEndpoint' | 'region'>): string {
  return settings.cognitoEndpoint ?? `https://cognito-idp.${settings.region}.amazonaws.com`;
}
