/**
 * Measure 3: authorized `GET /hello` throughput of the local gateway (authorizer verifying the ID token,
 * proxy event, the real Lambda) against a bare node:http server that returns the same body. Each target
 * runs in its own process, apart from the load generator (autocannon, programmatic, loopback only,
 * bounded by duration). Rounds alternate gateway and baseline; each round is preceded by a short
 * unrecorded warm-up so the JIT and keep-alive connections are in place on both sides.
 */
import { createRequire } from 'node:module';
import { startLongRunning, tsxLoader } from '../support/processes.ts';
import { type Spread, spread } from '../support/stats.ts';

const require = createRequire(import.meta.url);

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

function isResult(value: unknown): value is AutocannonResult {
  const v = value as Partial<AutocannonResult> | null;
  return (
    typeof v?.requests?.average === 'number' &&
    typeof v.latency?.p50 === 'number' &&
    typeof v.non2xx === 'number' &&
    typeof v.errors === 'number'
  );
}

async function load(options: AutocannonOptions): Promise<AutocannonResult> {
  // autocannon ships CommonJS without types; its result is checked before use.
  const autocannon = require('autocannon') as (options: AutocannonOptions) => Promise<unknown>;
  const result = await autocannon(options);
  if (!isResult(result)) throw new Error('autocannon returned an unexpected result');
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${options.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts: the figure would not be authorized GET /hello throughput`,
    );
  }
  return result;
}

export interface Throughput {
  readonly gatewayRps: Spread;
  readonly plainRps: Spread;
  readonly gatewayP50Ms: Spread;
  readonly plainP50Ms: Spread;
  /** gateway ÷ plain for each alternating round. */
  readonly roundRatio: Spread;
  readonly ratioOfMedians: number;
  readonly connections: number;
  readonly durationSeconds: number;
}

export async function measureThroughput(input: {
  readonly rounds: number;
  readonly durationSeconds: number;
  readonly connections: number;
  /** Stage URL of the running stack, e.g. http://127.0.0.1:3000/dev */
  readonly apiUrl: string;
  readonly idToken: string;
  readonly log: (line: string) => void;
}): Promise<Throughput> {
  const plain = await startLongRunning(
    ['--import', tsxLoader, 'benchmarks/support/plain-server.ts'],
    /^listening /,
  );
  try {
    const plainUrl = plain.stdout.trim().split(' ').pop() ?? '';
    const gateway: AutocannonOptions = {
      url: `${input.apiUrl}/hello`,
      connections: input.connections,
      duration: input.durationSeconds,
      headers: { authorization: input.idToken },
    };
    const baseline: AutocannonOptions = {
      url: plainUrl,
      connections: input.connections,
      duration: input.durationSeconds,
    };
    const g: AutocannonResult[] = [];
    const p: AutocannonResult[] = [];
    for (let round = 0; round < input.rounds; round++) {
      await load({ ...gateway, duration: 1 });
      g.push(await load(gateway));
      await load({ ...baseline, duration: 1 });
      p.push(await load(baseline));
      input.log(
        `  round ${round + 1}/${input.rounds}: gateway ${g[round]?.requests.average.toFixed(0)} req/s, plain ${p[round]?.requests.average.toFixed(0)} req/s`,
      );
    }
    const gatewayRps = spread(g.map((r) => r.requests.average));
    const plainRps = spread(p.map((r) => r.requests.average));
    return {
      gatewayRps,
      plainRps,
      gatewayP50Ms: spread(g.map((r) => r.latency.p50)),
      plainP50Ms: spread(p.map((r) => r.latency.p50)),
      roundRatio: spread(g.map((r, i) => r.requests.average / (p[i]?.requests.average ?? Number.NaN))),
      ratioOfMedians: gatewayRps.median / plainRps.median,
      connections: input.connections,
      durationSeconds: input.durationSeconds,
    };
  } finally {
    await plain.stop();
  }
}
