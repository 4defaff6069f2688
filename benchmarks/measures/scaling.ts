/**
 * Measure 8: how the contract scales with the API. For 1, 20 and 200 Cognito-protected methods (a
 * synthetic API Gateway OpenAPI export written on the fly: resources of up to four methods behind one
 * user pool authorizer), a cold `npm run contract -- --api-spec FILE` on the local target, timed from
 * spawn to exit, with its peak RSS (a preload writes it at exit), the clauses it ran and the bytes of
 * its reports. Sizes alternate (1, 20, 200, 1, 20, 200, …) so that a neighbour's burst hits each alike.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { plural } from '../../common/plural.ts';
import { failure, npmScriptArgs, repoRoot, timeCommand } from '../support/processes.ts';
import { type Spread, spread } from '../support/stats.ts';

export const SCALING_SIZES = [1, 20, 200] as const;
const METHODS = ['get', 'post', 'put', 'delete'] as const;
const RSS_PRELOAD = resolve(repoRoot, 'benchmarks', 'support', 'report-max-rss.mjs');

export interface ScalingPoint {
  readonly methods: number;
  readonly clauses: number;
  readonly ms: Spread;
  readonly maxRssBytes: Spread;
  readonly reportBytes: Spread;
}

export interface Scaling {
  readonly matrix: string;
  readonly points: readonly ScalingPoint[];
  /** median(20 methods) ÷ median(1 method). */
  readonly ratio20to1: number;
}

/** An API Gateway OpenAPI 3 export with `methods` protected methods, four to a resource. */
export function syntheticExport(methods: number): object {
  const paths: Record<string, Record<string, object>> = {};
  for (let index = 0; index < methods; index += 1) {
    const resource = `/resource-${Math.floor(index / METHODS.length) + 1}`;
    const method = METHODS[index % METHODS.length] ?? 'get';
    paths[resource] ??= {};
    (paths[resource] as Record<string, object>)[method] = {
      responses: { 200: { description: '200 response' } },
      security: [{ PoolAuthorizer: [] }],
      'x-amazon-apigateway-integration': {
        type: 'aws_proxy',
        httpMethod: 'POST',
        uri: `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:f${index}/invocations`,
      },
    };
  }
  return {
    openapi: '3.0.1',
    info: { title: `synthetic-${methods}`, version: '1' },
    servers: [
      {
        url: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/{basePath}',
        variables: { basePath: { default: 'prod' } },
      },
    ],
    paths,
    components: {
      securitySchemes: {
        PoolAuthorizer: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'cognito_user_pools',
          'x-amazon-apigateway-authorizer': {
            type: 'cognito_user_pools',
            providerARNs: ['arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_Synth3t1c'],
          },
        },
      },
    },
  };
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

export async function measureScaling(input: {
  readonly runs: number;
  readonly workDir: string;
  readonly matrix?: string;
  readonly sizes?: readonly number[];
  readonly log: (line: string) => void;
}): Promise<Scaling> {
  const sizes = input.sizes ?? SCALING_SIZES;
  const matrix = input.matrix ?? 'planned';
  const samples = new Map(
    sizes.map((size) => [
      size,
      { ms: [] as number[], rss: [] as number[], bytes: [] as number[], clauses: 0 },
    ]),
  );
  for (const size of sizes) {
    await writeFile(join(input.workDir, `synthetic-${size}.json`), JSON.stringify(syntheticExport(size)));
  }
  for (let run = 0; run < input.runs; run += 1) {
    for (const size of sizes) {
      const reportsDir = join(input.workDir, `scaling-${size}-${run}`);
      const rssFile = join(input.workDir, `scaling-${size}-${run}.rss`);
      const args = [
        '--import',
        RSS_PRELOAD,
        ...npmScriptArgs('contract'),
        '--target',
        'local',
        '--api-spec',
        join(input.workDir, `synthetic-${size}.json`),
        '--matrix',
        matrix,
        '--reports-dir',
        reportsDir,
      ];
      const result = await timeCommand(args, {
        env: { ...process.env, BENCH_MAX_RSS_FILE: rssFile },
        timeoutMs: 1_800_000,
      });
      // The synthetic API has no handler: the stand-ins answer, so every clause must pass (exit 0).
      if (result.code !== 0) throw failure(`npm run contract with ${size} methods`, result);
      const sample = samples.get(size);
      if (sample === undefined) continue;
      sample.ms.push(result.ms);
      sample.rss.push(Number(await readFile(rssFile, 'utf8')));
      sample.bytes.push(await folderBytes(reportsDir));
      const clauses = /Clauses: (\d+)/.exec(result.output)?.[1];
      sample.clauses = Number(clauses ?? 0);
      input.log(
        `  ${plural(size, 'method')}, run ${run + 1}: ${Math.round(result.ms)} ms, ${sample.clauses} clauses, RSS ${Math.round((sample.rss.at(-1) ?? 0) / 2 ** 20)} MiB, reports ${Math.round((sample.bytes.at(-1) ?? 0) / 1024)} KiB`,
      );
    }
  }
  const points = sizes.map((size) => {
    const sample = samples.get(size) ?? { ms: [], rss: [], bytes: [], clauses: 0 };
    return {
      methods: size,
      clauses: sample.clauses,
      ms: spread(sample.ms),
      maxRssBytes: spread(sample.rss),
      reportBytes: spread(sample.bytes),
    };
  });
  const median = (size: number) => points.find((point) => point.methods === size)?.ms.median ?? Number.NaN;
  return { matrix, points, ratio20to1: median(20) / median(1) };
}
