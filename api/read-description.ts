/**
 * The one entry for reading an API description file, whatever its form (detected by content,
 * api/document.ts): an API Gateway export (OpenAPI 3 or Swagger 2, JSON or YAML), a SAM template or a
 * CloudFormation template. `stage` (--stage, CONTRACT_API_STAGE) names the stage when the file does not,
 * and wins when it does.
 */
import { resolve } from 'node:path';
import { UsageError } from '../common/cli-error.ts';
import { type Env, flagOrEnv } from '../common/config-table.ts';
import { STAGE_NAME } from './assemble.ts';
import { loadDescription } from './document.ts';
import { apiSpecFromExport } from './openapi-export.ts';
import { withPool } from './pools.ts';
import { helloApi } from './routes.ts';
import type { ApiSpec, HandlerRef } from './spec.ts';
import { readCloudFormation, readSam } from './templates.ts';

export interface ReadOptions {
  readonly stage?: string;
  /** The logical id of the REST API in a template that defines several (--api-id, CONTRACT_API_ID). */
  readonly apiId?: string;
}

export async function readApiDescription(
  path: string,
  shown: string = path,
  options: ReadOptions = {},
): Promise<ApiSpec> {
  const loaded = await loadDescription(path, shown);
  const source = { path: shown, sha256: loaded.sha256 };
  const stage = options.stage === undefined ? {} : { stage: options.stage };
  const template = { ...stage, ...(options.apiId === undefined ? {} : { apiId: options.apiId }) };
  switch (loaded.kind) {
    case 'sam':
      return readSam(loaded.json, source, template);
    case 'cloudformation':
      return readCloudFormation(loaded.json, source, template);
    default:
      return apiSpecFromExport(loaded.json, source, stage);
  }
}

/** `--stage NAME` or CONTRACT_API_STAGE: checked here so a typo is refused before anything starts. */
export function stageSetting(flag: string | undefined, env: Env): string | undefined {
  const value = flagOrEnv(flag, env, 'CONTRACT_API_STAGE');
  if (value === undefined) return undefined;
  if (!STAGE_NAME.test(value)) {
    throw new UsageError(
      `${flag === undefined ? 'CONTRACT_API_STAGE' : 'Flag --stage'} is ${JSON.stringify(value)}, not a stage name: give the stage as API Gateway names it, e.g. --stage dev.`,
    );
  }
  return value;
}

/** `FILE#EXPORT` (default export name `handler`) for --handler. */
export function handlerRef(value: string): HandlerRef {
  const [file = '', exportName = 'handler'] = value.split('#');
  if (file === '' || !/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new UsageError(
      `Flag --handler ${JSON.stringify(value)} is not FILE#EXPORT: give it as in --handler lambda/items.ts#handler.`,
    );
  }
  return { file: resolve(file), exportName };
}

/** The --stage and --api-id settings of a command that reads a description (flags win over the environment). */
export function descriptionOptions(
  flags: { readonly stage?: string | undefined; readonly 'api-id'?: string | undefined },
  env: Env,
): ReadOptions {
  const stage = stageSetting(flags.stage, env);
  const apiId = flagOrEnv(flags['api-id'], env, 'CONTRACT_API_ID');
  return { ...(stage === undefined ? {} : { stage }), ...(apiId === undefined ? {} : { apiId }) };
}

/** The settings that choose the API a command works on, as its flags and environment give them. */
export interface ApiSettings {
  /** The description's path as the user gave it (--api-spec, or CONTRACT_API_SPEC where a command reads it). */
  readonly specPath: string | undefined;
  /** What a relative `specPath` is relative to. */
  readonly baseDir: string;
  readonly flags: {
    readonly stage?: string | undefined;
    readonly 'api-id'?: string | undefined;
    readonly pool?: string | undefined;
  };
  readonly env: Env;
}

/**
 * The API a command works on, the same way for `npm run contract`, `stack` and `collection`: the
 * description at `specPath`, or api/routes.ts, with --pool / CONTRACT_POOL applied (api/pools.ts: a pool
 * none of its authorizers names is refused). Undefined when neither a description nor a pool is given:
 * the default API as it is. --stage and --api-id are checked either way, so a typo is refused before
 * anything starts. What the description leaves out is in the result's `notes`, for the caller to print.
 */
export async function apiFromSettings(settings: ApiSettings): Promise<ApiSpec | undefined> {
  const { specPath, baseDir, flags, env } = settings;
  const readOptions = descriptionOptions(flags, env);
  const poolSetting = flagOrEnv(flags.pool, env, 'CONTRACT_POOL');
  if (specPath === undefined && poolSetting === undefined) return undefined;
  const read =
    specPath === undefined
      ? helloApi
      : await readApiDescription(resolve(baseDir, specPath), specPath, readOptions);
  return withPool(read, poolSetting, flags.pool === undefined ? 'CONTRACT_POOL' : '--pool');
}
