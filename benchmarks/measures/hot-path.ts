/**
 * Measure 5: the local gateway's per-request steps, each timed in its own fresh process without
 * sockets (benchmarks/support/hot-path-worker.ts). Over HTTP a change of a microsecond drowns in the
 * noise of a shared 2-core machine; here it shows. Runs alternate the steps, so a burst of load from a
 * neighbour is spread over all of them.
 */
import { HOT_PATH_STEPS, type HotPathStep } from '../support/hot-path-worker-steps.ts';
import { failure, launcherArgs, timeCommand } from '../support/processes.ts';
import { type Spread, spread } from '../support/stats.ts';

export type HotPath = Readonly<Record<HotPathStep, Spread>>;

export async function measureHotPath(input: {
  readonly runs: number;
  readonly log: (line: string) => void;
}): Promise<HotPath> {
  const samples = Object.fromEntries(HOT_PATH_STEPS.map((step) => [step, [] as number[]])) as Record<
    HotPathStep,
    number[]
  >;
  for (let run = 0; run < input.runs; run++) {
    const figures: string[] = [];
    for (const step of HOT_PATH_STEPS) {
      const result = await timeCommand([...launcherArgs('benchmarks/support/hot-path-worker.ts'), step]);
      if (result.code !== 0) throw failure(`hot-path worker (${step})`, result);
      const line = result.output.trim().split('\n').pop() ?? '';
      const { nsPerCall } = JSON.parse(line) as { nsPerCall: number };
      samples[step].push(nsPerCall / 1000);
      figures.push(`${step} ${(nsPerCall / 1000).toFixed(2)} µs`);
    }
    input.log(`  run ${run + 1}/${input.runs}: ${figures.join(', ')}`);
  }
  return Object.fromEntries(HOT_PATH_STEPS.map((step) => [step, spread(samples[step])])) as HotPath;
}
