/**
 * Measure 0, taken by every bench run whatever `--only` says: how fast this machine's core is today, so
 * that figures from different days can be compared. The same commit's figures moved by a factor of 1.6
 * from one day's machine to the next's at the same load (docs/benchmarks.md, "Not the same machine
 * twice"), which the load average does not show.
 *
 * The workload is the kind of work a contract run spends its CPU on (Newman serialising each script's
 * context and the collection's JSON): `JSON.parse` and `JSON.stringify` of the committed Postman
 * collection, ROUNDS times, in a fresh `node` process with nothing else loaded, timed by that process's
 * own CPU clock (`process.cpuUsage`, user + system) so a neighbour that takes the core away for a moment
 * stretches its wall time but not its figure. The median of `runs` processes is the machine's reference.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/processes.ts';
import { type Spread, spread } from '../support/stats.ts';

/** JSON round trips of the collection in one process: about 0.3 s of CPU on the 2-core machine. */
const MACHINE_ROUNDS = 40;

const WORKLOAD = `
const text = require('node:fs').readFileSync(process.argv[1], 'utf8');
const rounds = Number(process.argv[2]);
let bytes = 0; // the results' sizes, printed, so no round trip is optimised away
const start = process.cpuUsage();
for (let i = 0; i < rounds; i++) bytes += JSON.stringify(JSON.parse(text)).length;
const used = process.cpuUsage(start);
process.stdout.write(JSON.stringify({ ms: (used.user + used.system) / 1000, bytes }));
`;

export interface Machine {
  /** What the kernel calls the processor (os.cpus()), e.g. "AMD EPYC", and its clock in MHz if known. */
  readonly cpuModel: string;
  readonly cpuMhz?: number;
  readonly rounds: number;
  /** CPU milliseconds of the workload, one sample per fresh process. */
  readonly referenceMs: Spread;
}

export async function measureMachine(input: { readonly runs: number }): Promise<Machine> {
  const collection = resolve(repoRoot, 'collections', 'hello-api.postman_collection.json');
  const samples: number[] = [];
  for (let i = 0; i < input.runs; i++) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', WORKLOAD, collection, String(MACHINE_ROUNDS)],
      { timeout: 60_000 },
    );
    const found: unknown = JSON.parse(stdout);
    const ms = (found as { ms?: unknown }).ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      throw new Error(`the machine reference printed no time: ${stdout.slice(0, 200)}`);
    }
    samples.push(ms);
  }
  const first = cpus()[0];
  const mhz = first?.speed || cpuinfoMhz();
  return {
    cpuModel: first?.model.trim() || 'unknown',
    ...(mhz ? { cpuMhz: mhz } : {}),
    rounds: MACHINE_ROUNDS,
    referenceMs: spread(samples),
  };
}

/** A virtual machine's kernel may report no clock to os.cpus() but print it in /proc/cpuinfo. */
function cpuinfoMhz(): number | undefined {
  try {
    const found = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return found ? Math.round(Number(found[1])) : undefined;
  } catch {
    return undefined;
  }
}
