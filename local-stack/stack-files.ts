/**
 * The files a running `npm run stack` leaves for other shells, and the one module that names, writes,
 * reads and removes them (scripts/stack.ts, the token helper and the bench all go through here):
 *
 *   environments/generated/local.stack.json                   the settings, with the password (`npm run token` reads it)
 *   environments/generated/local-stack.postman_environment.json  ready to import into the Postman app
 *   environments/generated/local.stack.lock                   whose stack this is: its pid
 *
 * All three are gitignored, mode 0600 and removed when the stack stops. The paths are fixed per checkout,
 * so one checkout has one stack at a time: a second `npm run stack` used to overwrite the first one's
 * files and delete them when it stopped, after which `npm run token` said no stack was running while one
 * was. `claimStackFiles` takes the lock (created exclusively, O_EXCL) before anything starts, and refuses
 * with the other stack's pid and ports while that stack lives.
 */
import { open, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { UsageError, UserError } from '../common/cli-error.ts';
import { makeDirectory } from '../common/make-directory.ts';
import { isAlive } from '../common/processes.ts';
import { errorCode, isRecord } from '../common/records.ts';
import { SignInError } from '../token-helper/diagnosis.ts';

const GENERATED_DIR = join('environments', 'generated');

/** Relative to the checkout's root (the working directory `npm run` gives every command). */
export const LOCAL_STACK_FILE = join(GENERATED_DIR, 'local.stack.json');
export const QA_ENVIRONMENT_FILE = join(GENERATED_DIR, 'local-stack.postman_environment.json');
export const STACK_LOCK_FILE = join(GENERATED_DIR, 'local.stack.lock');

export interface StackFilePaths {
  readonly settings: string;
  readonly qaEnvironment: string;
  readonly lock: string;
}

export function stackFilePaths(rootDir: string): StackFilePaths {
  return {
    settings: join(rootDir, LOCAL_STACK_FILE),
    qaEnvironment: join(rootDir, QA_ENVIRONMENT_FILE),
    lock: join(rootDir, STACK_LOCK_FILE),
  };
}

/** The settings another shell needs to use the stack (what `npm run token` reads). */
export interface LocalStackFile {
  readonly apiUrl: string;
  readonly cognitoEndpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

/** The whole settings file: the settings and the pid of the stack that wrote them. */
export interface StackSettingsFile extends LocalStackFile {
  readonly pid: number;
}

const FIELDS = [
  'apiUrl',
  'cognitoEndpoint',
  'region',
  'userPoolId',
  'clientId',
  'username',
  'password',
] as const;

/**
 * The stack's settings, or `undefined` when no stack is running (the file does not exist). It holds the
 * generated password, so it is read here and never echoed.
 */
export async function readLocalStackFile(
  path: string,
  displayPath: string = path,
): Promise<LocalStackFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new SignInError(
      'stack-file-broken',
      `The local stack settings file ${displayPath} cannot be read (${errorCode(error) ?? 'unknown error'}): restart \`npm run stack\`.`,
      { cause: error },
    );
  }
  const broken = (reason: string): SignInError =>
    new SignInError(
      'stack-file-broken',
      `The local stack settings file ${displayPath} is broken (${reason}): stop and restart \`npm run stack\`.`,
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw broken('not JSON');
  }
  if (!isRecord(json)) throw broken('not a JSON object');
  const missing = FIELDS.filter((field) => typeof json[field] !== 'string' || json[field] === '');
  if (missing.length > 0) throw broken(`no ${missing.join(', ')}`);
  const field = (name: (typeof FIELDS)[number]): string => String(json[name]);
  return {
    apiUrl: field('apiUrl'),
    cognitoEndpoint: field('cognitoEndpoint'),
    region: field('region'),
    userPoolId: field('userPoolId'),
    clientId: field('clientId'),
    username: field('username'),
    password: field('password'),
  };
}

export async function writeStackSettings(paths: StackFilePaths, settings: StackSettingsFile): Promise<void> {
  await writeFileAtomic(paths.settings, `${JSON.stringify(settings, null, 2)}\n`);
}

/** The Postman environment for QA: it holds the password and live tokens, so 0600 like the rest. */
export async function writeQaEnvironment(paths: StackFilePaths, environment: object): Promise<void> {
  await writeFileAtomic(paths.qaEnvironment, `${JSON.stringify(environment, null, 2)}\n`);
}

/** A stack of this checkout that is alive: its pid, and its URLs once it has written its settings. */
export interface RunningStackInfo {
  readonly pid: number;
  readonly apiUrl?: string;
  readonly cognitoEndpoint?: string;
  /**
   * What is wrong with its settings file when it is there but unusable (not JSON, not an object, no
   * apiUrl): the stack is not "still starting" then, however long one waits, since the file is written
   * once, atomically, when the stack is ready.
   */
  readonly corrupt?: string;
}

async function lockHolder(lock: string): Promise<number | undefined> {
  try {
    const json: unknown = JSON.parse(await readFile(lock, 'utf8'));
    const pid = isRecord(json) ? json.pid : undefined;
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The live stack that holds this checkout's files, if any (a lock whose process is gone is a leftover). */
export async function runningStack(rootDir: string): Promise<RunningStackInfo | undefined> {
  const paths = stackFilePaths(rootDir);
  const pid = await lockHolder(paths.lock);
  if (pid === undefined || pid === process.pid || !isAlive(pid)) return undefined;
  let text: string;
  try {
    text = await readFile(paths.settings, 'utf8');
  } catch (error) {
    // No settings yet: still starting. Unreadable: as good as corrupt.
    if (errorCode(error) === 'ENOENT') return { pid };
    return { pid, corrupt: `cannot be read, ${errorCode(error) ?? 'unknown error'}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { pid, corrupt: 'not JSON' };
  }
  if (!isRecord(json)) return { pid, corrupt: 'not a JSON object' };
  // A file another stack (now gone) left: this one has not written its own yet.
  if (json.pid !== pid) return { pid };
  if (typeof json.apiUrl !== 'string') return { pid, corrupt: 'no apiUrl' };
  return {
    pid,
    apiUrl: json.apiUrl,
    ...(typeof json.cognitoEndpoint === 'string' ? { cognitoEndpoint: json.cognitoEndpoint } : {}),
  };
}

/**
 * "pid 4242: API http://127.0.0.1:3000/dev, Cognito http://127.0.0.1:9229", "pid 4242, still starting",
 * or "pid 4242, whose settings file … is corrupt (not JSON)".
 */
export function describeRunningStack(stack: RunningStackInfo): string {
  if (stack.corrupt !== undefined) {
    return `pid ${stack.pid}, whose settings file ${LOCAL_STACK_FILE} is corrupt (${stack.corrupt})`;
  }
  return stack.apiUrl === undefined
    ? `pid ${stack.pid}, still starting`
    : `pid ${stack.pid}: API ${stack.apiUrl}, Cognito ${stack.cognitoEndpoint ?? 'unknown'}`;
}

function anotherStack(stack: RunningStackInfo): UsageError {
  if (stack.corrupt !== undefined) {
    return new UsageError(
      `Another local stack of this checkout is running (pid ${stack.pid}) but its settings file ${LOCAL_STACK_FILE} is corrupt (${stack.corrupt}): stop it (Ctrl-C in its shell, or \`kill ${stack.pid}\`) and run \`npm run stack\` again, which writes the file anew.`,
    );
  }
  return new UsageError(
    `Another local stack of this checkout is running (${describeRunningStack(stack)}): use that one, or stop it (Ctrl-C in its shell) before starting another, since both would use the files in ${GENERATED_DIR}.`,
  );
}

export interface StackFilesClaim {
  readonly paths: StackFilePaths;
  /** Removes the settings, the QA environment and the lock: what the stack leaves when it stops. */
  release(): Promise<void>;
}

/**
 * Makes this process the owner of the checkout's stack files, or throws a UsageError naming the stack
 * that owns them. A lock left by a stack that died without cleaning up (SIGKILL) is taken over.
 */
export async function claimStackFiles(rootDir: string): Promise<StackFilesClaim> {
  const paths = stackFilePaths(rootDir);
  const unwritable = (error: unknown) =>
    new UserError(
      `Cannot write the local stack's files in ${GENERATED_DIR} (${errorCode(error) ?? 'error'}): make it a writable folder of this checkout.`,
      { cause: error },
    );
  try {
    await makeDirectory(join(rootDir, GENERATED_DIR));
  } catch (error) {
    throw unwritable(error);
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(paths.lock, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify({ pid: process.pid })}\n`);
      } finally {
        await handle.close();
      }
      return {
        paths,
        async release() {
          await rm(paths.settings, { force: true });
          await rm(paths.qaEnvironment, { force: true });
          // Only our own lock: never one a later stack took over after ours was declared dead.
          if ((await lockHolder(paths.lock)) === process.pid) await rm(paths.lock, { force: true });
        },
      };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw unwritable(error);
      const other = await runningStack(rootDir);
      if (other !== undefined) throw anotherStack(other);
      // A leftover of a stack that is gone: removed, then created afresh by the next attempt. Two stacks
      // started in the same instant over a leftover could both get through this window of a few system
      // calls; a stack started by hand while another starts is the case this lock is for.
      await unlink(paths.lock).catch(() => undefined);
    }
  }
  const other = await runningStack(rootDir);
  if (other !== undefined) throw anotherStack(other);
  throw new UserError(
    `The local stack lock ${STACK_LOCK_FILE} could not be taken: remove it if no \`npm run stack\` is running, and start again.`,
  );
}
