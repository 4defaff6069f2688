/**
 * An already running local stack with a ready environment, the way a QA engineer has one: `npm run
 * stack` (here `node --import tsx scripts/stack.ts`, free ports) in its own process, and the Postman
 * environment it writes (live ID token, attack tokens, password) copied aside at once, because the
 * stack removes its files when it stops.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type LongRunning, npmScriptArgs, repoRoot, startLongRunning } from './processes.ts';

const generated = resolve(repoRoot, 'environments', 'generated');
const stateFile = join(generated, 'local.stack.json');
const environmentFile = join(generated, 'local-stack.postman_environment.json');
export const READY_LINE = /^# Local stack ready in \d+ ms/;

export interface RunningStack extends LongRunning {
  /** Settings printed as dotenv lines (API_URL, COGNITO_ENDPOINT, …). */
  readonly settings: Readonly<Record<string, string>>;
  /** A copy of the stack's Postman environment, private to this bench run. */
  readonly environmentPath: string;
}

/**
 * The stack writes fixed paths: a second stack would overwrite, then delete, another one's files. A file
 * whose stack no longer answers is a leftover (a stack killed with SIGKILL) and is no obstacle.
 */
export async function assertNoOtherStack(): Promise<void> {
  let apiUrl: unknown;
  try {
    apiUrl = (JSON.parse(await readFile(stateFile, 'utf8')) as { apiUrl?: unknown }).apiUrl;
  } catch {
    return;
  }
  const alive =
    typeof apiUrl === 'string' &&
    (await fetch(apiUrl, { signal: AbortSignal.timeout(2_000) }).then(
      () => true,
      () => false,
    ));
  if (alive) {
    throw new Error(
      `A local stack (npm run stack) is running from this checkout at ${apiUrl}. Stop it (Ctrl-C) before benchmarking: the bench starts its own, which would overwrite that stack's files in ${generated}.`,
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
    await copyFile(environmentFile, environmentPath);
    return { ...running, settings, environmentPath };
  } catch (error) {
    await running.stop();
    throw error;
  }
}
