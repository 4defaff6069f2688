/**
 * Measure 3: authorized `GET /hello` throughput of the local gateway (authorizer verifying the ID token,
 * proxy event, the real Lambda) against a bare node:http server that returns the same body. Each target
 * runs in its own process, apart from the load generator (autocannon, programmatic, loopback only,
 * bounded by duration), both sent the identical request. Rounds alternate gateway and baseline; each round is preceded by a short
 * unrecorded warm-up so the JIT and keep-alive connections are in place on both sides.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launcherArgs, startLongRunning } from '../support/processes.ts';
import { type Spread, spread } from '../support/stats.ts';

const require = createRequire(import.meta.url);

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}

interface AutocannonResult {
  requests: { average: number; total: number };
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

/**
 * CPU time (user + system) a process has used so far, in microseconds, from /proc (Linux); undefined
 * elsewhere. CPU per request is steadier than requests per second on a busy machine: a neighbour
 * stealing the CPU lowers the rate but barely changes the work each request costs.
 */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks of (almost always) 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

async function measured(
  options: AutocannonOptions,
  pid: number | undefined,
): Promise<{ result: AutocannonResult; cpuPerRequest?: number }> {
  const before = cpuMicros(pid);
  const result = await load(options);
  const after = cpuMicros(pid);
  return {
    result,
    ...(before !== undefined && after !== undefined && result.requests.total > 0
      ? { cpuPerRequest: (after - before) / result.requests.total }
      : {}),
  };
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
  /** Server-process CPU per request (µs), when /proc is there to read it. */
  readonly gatewayCpuMicros?: Spread;
  readonly plainCpuMicros?: Spread;
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
  /** The gateway's process, to read its CPU time. */
  readonly gatewayPid?: number;
  readonly log: (line: string) => void;
}): Promise<Throughput> {
  const plain = await startLongRunning(launcherArgs('benchmarks/support/plain-server.ts'), /^listening /);
  try {
    const plainUrl = plain.stdout.trim().split(' ').pop() ?? '';
    const gateway: AutocannonOptions = {
      url: `${input.apiUrl}/hello`,
      connections: input.connections,
      duration: input.durationSeconds,
      headers: { authorization: input.idToken },
    };
    // The same request on both sides, Authorization header included: the baseline parses the same
    // ~1 kB of headers and ignores them, so the ratio prices only what the gateway does with them.
    const baseline: AutocannonOptions = { ...gateway, url: plainUrl };
    const g: AutocannonResult[] = [];
    const p: AutocannonResult[] = [];
    const gCpu: number[] = [];
    const pCpu: number[] = [];
    for (let round = 0; round < input.rounds; round++) {
      await load({ ...gateway, duration: 1 });
      const gw = await measured(gateway, input.gatewayPid);
      await load({ ...baseline, duration: 1 });
      const pl = await measured(baseline, plain.child.pid);
      g.push(gw.result);
      p.push(pl.result);
      if (gw.cpuPerRequest !== undefined) gCpu.push(gw.cpuPerRequest);
      if (pl.cpuPerRequest !== undefined) pCpu.push(pl.cpuPerRequest);
      const cpu =
        gw.cpuPerRequest !== undefined && pl.cpuPerRequest !== undefined
          ? ` (server CPU ${gw.cpuPerRequest.toFixed(1)} vs ${pl.cpuPerRequest.toFixed(1)} µs/request)`
          : '';
      input.log(
        `  round ${round + 1}/${input.rounds}: gateway ${gw.result.requests.average.toFixed(0)} req/s, plain ${pl.result.requests.average.toFixed(0)} req/s${cpu}`,
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
      ...(gCpu.length === input.rounds && pCpu.length === input.rounds
        ? { gatewayCpuMicros: spread(gCpu), plainCpuMicros: spread(pCpu) }
        : {}),
      connections: input.connections,
      durationSeconds: input.durationSeconds,
    };
  } finally {
    await plain.stop();
  }
}
