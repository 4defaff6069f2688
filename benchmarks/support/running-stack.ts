/**
 * An already running local stack with a ready environment, the way a QA engineer has one: `npm run
 * stack` (here `node common/run-ts.mjs scripts/stack.ts`, free ports) in its own process, and the Postman
 * environment it writes (live ID token, attack tokens, password) copied aside at once, because the
 * stack removes its files when it stops.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeRunningStack, runningStack, stackFilePaths } from '../../local-stack/stack-files.ts';
import { type LongRunning, npmScriptArgs, repoRoot, startLongRunning } from './processes.ts';

export const READY_LINE = /^# Local stack ready in \d+ ms/;

export interface RunningStack extends LongRunning {
  /** Settings printed as dotenv lines (API_URL, COGNITO_ENDPOINT, …). */
  readonly settings: Readonly<Record<string, string>>;
  /** A copy of the stack's Postman environment, private to this bench run. */
  readonly environmentPath: string;
}

/**
 * One stack per checkout (local-stack/stack-files.ts): the bench starts its own `npm run stack`, which
 * would refuse to start beside a developer's. Said up front, before minutes of other measures.
 */
export async function assertNoOtherStack(): Promise<void> {
  const other = await runningStack(repoRoot);
  if (other !== undefined) {
    throw new Error(
      `A local stack (npm run stack) of this checkout is running (${describeRunningStack(other)}). Stop it (Ctrl-C) before benchmarking: the bench starts its own, and one checkout has one stack at a time.`,
    );
  }
}

export function stackEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LOCAL_API_PORT: '0',
    LOCAL_COGNITO_PORT: '0',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export async function startRunningStack(copyDir: string, name: string): Promise<RunningStack> {
  const running = await startLongRunning(npmScriptArgs('stack'), READY_LINE, {
    env: stackEnv(),
  });
  try {
    const settings: Record<string, string> = {};
    for (const line of running.stdout.split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) settings[match[1]] = match[2];
    }
    const environmentPath = join(copyDir, `${name}.postman_environment.json`);
    await copyFile(stackFilePaths(repoRoot).qaEnvironment, environmentPath);
    return { ...running, settings, environmentPath };
  } catch (error) {
    await running.stop();
    throw error;
  }
}
