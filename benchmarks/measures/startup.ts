/**
 * Measure 2: local stack start-up to ready, three ways, each in a fresh process:
 *  - `startStack()` from call to resolve (emulator listening, pool and user seeded, JWKS cached,
 *    gateway listening): the figure the ≤ 1 s target is about;
 *  - loading the stack's modules before that call (the module graph, through the npm scripts' launcher);
 *  - `npm run stack` from spawn to its "ready" line: node and launcher start-up, the modules, startStack(),
 *    a sign-in, the attack tokens and the two files it writes.
 */

import { failure, launcherArgs, npmScriptArgs, startLongRunning, timeCommand } from '../support/processes.ts';
import { READY_LINE, stackEnv } from '../support/running-stack.ts';
import { type Spread, spread } from '../support/stats.ts';

export interface Startup {
  readonly startStackMs: Spread;
  readonly importMs: Spread;
  readonly npmRunStackReadyMs: Spread;
}

export async function measureStartup(input: {
  readonly runs: number;
  readonly log: (line: string) => void;
}): Promise<Startup> {
  const start: number[] = [];
  const load: number[] = [];
  const spawned: number[] = [];
  for (let run = 0; run < input.runs; run++) {
    // Same launcher as npm run stack (so the code runs as it does in the gateway), another entry point.
    const once = await timeCommand(launcherArgs('benchmarks/support/start-stack-once.ts'), {
      env: stackEnv(),
    });
    if (once.code !== 0) throw failure('start-stack-once', once);
    const line = once.output.trim().split('\n').pop() ?? '';
    const figures: unknown = JSON.parse(line);
    const { importMs, startMs } = figures as { importMs: number; startMs: number };
    start.push(startMs);
    load.push(importMs);

    const stack = await startLongRunning(npmScriptArgs('stack'), READY_LINE, {
      env: stackEnv(),
    });
    spawned.push(stack.readyMs);
    await stack.stop();
    input.log(
      `  run ${run + 1}/${input.runs}: startStack() ${startMs.toFixed(0)} ms (modules ${importMs.toFixed(0)} ms), npm run stack ready after ${stack.readyMs.toFixed(0)} ms`,
    );
  }
  return { startStackMs: spread(start), importMs: spread(load), npmRunStackReadyMs: spread(spawned) };
}
