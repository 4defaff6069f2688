/**
 * What an auditor needs to reproduce a run: the exact bytes of the collection and environment template
 * (SHA-256), the suite's commit, and the versions of the tools that ran it. Each lookup tolerates its
 * source being absent (a tarball without .git, a deleted template) by answering null rather than
 * failing the run: provenance describes the run, it is not a precondition of it.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export interface GitState {
  readonly commit: string;
  /** Tracked changes or untracked files in the working tree: the commit alone does not describe the code. */
  readonly dirty: boolean;
}

export interface ToolVersions {
  readonly node: string;
  readonly newman: string | null;
  readonly newmanReporterHtmlextra: string | null;
}

export interface SuiteIdentity {
  readonly name: string | null;
  readonly version: string | null;
}

export async function gitState(rootDir: string): Promise<GitState | null> {
  const git = (args: string[]) =>
    run('git', ['-C', rootDir, ...args], { timeout: 10_000, maxBuffer: 16 * 1024 * 1024 });
  try {
    const commit = (await git(['rev-parse', 'HEAD'])).stdout.trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return null;
    const status = (await git(['status', '--porcelain'])).stdout;
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    // No git binary, not a repository, or a repository without commits.
    return null;
  }
}

function packageVersion(name: string): string | null {
  try {
    const manifest: unknown = require(`${name}/package.json`);
    const version = (manifest as { version?: unknown } | null)?.version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

export function toolVersions(): ToolVersions {
  return {
    node: process.version,
    newman: packageVersion('newman'),
    newmanReporterHtmlextra: packageVersion('newman-reporter-htmlextra'),
  };
}

export async function suiteIdentity(rootDir: string): Promise<SuiteIdentity> {
  try {
    const manifest: unknown = JSON.parse(await readFile(join(rootDir, 'package.json'), 'utf8'));
    const { name, version } = (typeof manifest === 'object' && manifest !== null ? manifest : {}) as {
      name?: unknown;
      version?: unknown;
    };
    return {
      name: typeof name === 'string' ? name : null,
      version: typeof version === 'string' ? version : null,
    };
  } catch {
    return { name: null, version: null };
  }
}
