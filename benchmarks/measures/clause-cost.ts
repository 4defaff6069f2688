/**
 * Measure 6: what one more clause costs a run. The bare Newman CLI (cli reporter) runs, against the
 * running stack with its ready environment, the whole collection and the same collection with every
 * item removed (its collection-level scripts, variables and auth kept), alternately, each with
 * `iterations` iterations so that the clauses' time stands well above the noise of a process start.
 * Per round: (whole − empty) ÷ (clauses × iterations). The empty run carries everything that does not
 * grow with the clauses (node and Newman start-up, reading the collection, the reporter's summary), so
 * the difference is the requests, their scripts and their share of the reporter; it includes the local
 * gateway's answer time, which measure 3 prices separately (tens of microseconds).
 *
 * The same pair also runs with the runner's setImmediate hops preloaded (contract-runner/runtime-hops.ts,
 * what `npm run contract` runs with): the four runs of a round alternate, so both per-clause figures
 * meet the same load.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bareNewmanArgs, failure, repoRoot, timeCommand } from '../support/processes.ts';
import { type Spread, spread } from '../support/stats.ts';
import { COLLECTION } from './contract-vs-newman.ts';

export interface ClauseCost {
  readonly clauses: number;
  readonly iterations: number;
  readonly wholeMs: Spread;
  readonly emptyMs: Spread;
  /** Milliseconds per clause and iteration, one value per round. */
  readonly perClauseMs: Spread;
  /** The same with the runner's setImmediate hops preloaded. */
  readonly wholeHopsMs: Spread;
  readonly emptyHopsMs: Spread;
  readonly perClauseHopsMs: Spread;
}

const HOPS_PRELOAD = resolve(repoRoot, 'benchmarks', 'support', 'runtime-hops-preload.mjs');

interface Item {
  readonly item?: readonly Item[];
}

/** Requests in a collection: items without sub-items, folders counted by what they hold. */
export function countRequests(items: readonly Item[]): number {
  return items.reduce((sum, item) => sum + (Array.isArray(item.item) ? countRequests(item.item) : 1), 0);
}

export async function measureClauseCost(input: {
  readonly runs: number;
  readonly iterations: number;
  readonly environmentPath: string;
  readonly workDir: string;
  readonly log: (line: string) => void;
}): Promise<ClauseCost> {
  const collection = JSON.parse(await readFile(COLLECTION, 'utf8')) as { item: readonly Item[] };
  const clauses = countRequests(collection.item);
  const emptyPath = join(input.workDir, 'zero-clauses.postman_collection.json');
  await writeFile(emptyPath, JSON.stringify({ ...collection, item: [] }));
  const args = (path: string) =>
    bareNewmanArgs(path, input.environmentPath, [
      '--iteration-count',
      String(input.iterations),
      '--reporters',
      'cli',
    ]);
  const hopsArgs = (path: string) => ['--import', HOPS_PRELOAD, ...args(path)];
  const whole: number[] = [];
  const empty: number[] = [];
  const perClause: number[] = [];
  const wholeHops: number[] = [];
  const emptyHops: number[] = [];
  const perClauseHops: number[] = [];
  const timed = async (what: string, command: readonly string[]) => {
    const result = await timeCommand(command);
    if (result.code !== 0) throw failure(`newman run (${what})`, result);
    return result.ms;
  };
  for (let run = 0; run < input.runs; run++) {
    const w = await timed('whole collection', args(COLLECTION));
    const e = await timed('zero clauses', args(emptyPath));
    const wh = await timed('whole collection, setImmediate hops', hopsArgs(COLLECTION));
    const eh = await timed('zero clauses, setImmediate hops', hopsArgs(emptyPath));
    whole.push(w);
    empty.push(e);
    perClause.push((w - e) / (clauses * input.iterations));
    wholeHops.push(wh);
    emptyHops.push(eh);
    perClauseHops.push((wh - eh) / (clauses * input.iterations));
    input.log(
      `  run ${run + 1}/${input.runs}: ${clauses} clauses × ${input.iterations} ${w.toFixed(0)} ms, zero clauses ${e.toFixed(0)} ms, ${(perClause.at(-1) ?? 0).toFixed(1)} ms per clause; setImmediate hops ${wh.toFixed(0)} / ${eh.toFixed(0)} ms, ${(perClauseHops.at(-1) ?? 0).toFixed(1)} ms per clause`,
    );
  }
  return {
    clauses,
    iterations: input.iterations,
    wholeMs: spread(whole),
    emptyMs: spread(empty),
    perClauseMs: spread(perClause),
    wholeHopsMs: spread(wholeHops),
    emptyHopsMs: spread(emptyHops),
    perClauseHopsMs: spread(perClauseHops),
  };
}
