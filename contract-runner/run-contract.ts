/**
 * `npm run contract` as a function: start the local stack (target local) or take the .env settings
 * (target aws), get the ID token through the token helper, mint the attack tokens, run the collection
 * with Newman, stop the stack, and report. Tests call this with a deliberately weakened local gateway
 * to prove that the contract catches each weakness.
 */
import { readFile, rmdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { UsageError, UserError } from '../common/cli-error.ts';
import type { LocalStack, LocalStackOptions } from '../local-stack/stack.ts';
import { attackEnvironmentValues } from '../security/attack-environment.ts';
import { prepareAttackerKey } from '../security/attack-tokens.ts';
import type { Target, TokenSettings } from '../token-helper/config.ts';
import {
  defaultTemplatePath,
  obtainToken,
  settingsFromLocalStack,
  type TokenResult,
} from '../token-helper/index.ts';
import { insertRunBlock } from './html-report.ts';
import { junitPath, writeJunitReport } from './junit-report.ts';
import { runNewman } from './newman-run.ts';
import { gitState, sha256, sha256File, suiteIdentity, toolVersions } from './provenance.ts';
import { createRedactor } from './redaction.ts';
import { createRunFolder } from './report-folder.ts';
import { REPORTERS, type ReporterName, writesRunFolder } from './reporters.ts';
import { rebuildReportsIndex } from './reports-index.ts';
import { type ClauseResult, clauseResults, countResults, type RunCounts } from './results.ts';
import { buildRunSummary, writeRunSummary } from './run-summary.ts';
import { decideVerdict, type Verdict } from './verdict.ts';

export const DEFAULT_COLLECTION = 'collections/hello-api.postman_collection.json';

interface CommonContractOptions {
  /** Repository root: collection, templates and reports are resolved against it. */
  readonly rootDir: string;
  readonly collectionPath?: string;
  readonly reportsDir?: string;
  readonly reporters?: readonly ReporterName[];
  readonly iterations?: number;
  readonly timeoutRequestMs?: number;
  /** Overrides the environment's max_response_ms. */
  readonly maxResponseMs?: number;
  /** Called once the run's report folder exists, so a caller can remove it if a signal ends the run. */
  readonly onRunFolderCreated?: (path: string) => void;
  /** Called with the token result; tests use it to know which secrets must never appear in output. */
  readonly onToken?: (token: TokenResult) => void;
  /**
   * Aborted when the run is interrupted (Ctrl-C): reporter output stops at once and runContract rejects
   * with RunInterruptedError instead of reporting a run that did not finish.
   */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

/** What each target needs, and only that: the embedded stack's options, or the deployment's settings. */
export type ContractOptions =
  | (CommonContractOptions & {
      readonly target: 'local';
      /** Options for the embedded stack (tests inject weaknesses here). */
      readonly stack?: LocalStackOptions;
      /** Called once the stack is up, so a caller can stop it on a signal. */
      readonly onStackStarted?: (stack: LocalStack) => void;
    })
  | (CommonContractOptions & {
      readonly target: 'aws';
      /** The validated settings of the deployment (from .env). */
      readonly settings: TokenSettings;
      /** Sign in even if a saved token is still good. */
      readonly force?: boolean;
    });

export interface ContractResult {
  readonly target: Target;
  readonly apiUrl: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly runFolder?: string;
  /** The run's reports, summary.json, and the rebuilt reports/index.html. */
  readonly files: {
    readonly html?: string;
    readonly junit?: string;
    readonly summary?: string;
    readonly index?: string;
  };
  readonly clauses: readonly ClauseResult[];
  readonly counts: RunCounts;
  readonly runError?: string;
  /** The one verdict every artifact shows; `passed` is `verdict.passed`. */
  readonly verdict: Verdict;
  readonly passed: boolean;
  readonly iterations: number;
  readonly token: Pick<TokenResult, 'claims' | 'reused'>;
}

/** The parsed collection, and the SHA-256 of the very bytes parsed (for summary.json). */
async function readCollection(path: string, rootDir: string): Promise<{ parsed: object; sha256: string }> {
  const inside = relative(rootDir, path);
  const inRepo = inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
  const shown = inRepo ? inside : path;
  // Only the repository's own collection can be restored from git; for any other file, say so.
  const restore = inRepo
    ? `restore it with \`git checkout -- ${shown}\``
    : 'check the path given to --collection';
  // A collection that is missing or not a collection is a wrong --collection (or a broken checkout):
  // a configuration mistake, exit code 2.
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `The collection ${shown} does not exist: ${restore}.`
        : code === 'EISDIR'
          ? `The collection ${shown} is a folder: give --collection the collection file inside it.`
          : `The collection ${shown} cannot be read (${code ?? 'error'}): check its permissions.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UsageError(
      `The collection ${shown} is not valid JSON: ${restore} or re-export it from Postman.`,
    );
  }
  const info =
    typeof parsed === 'object' && parsed !== null ? (parsed as { info?: unknown; item?: unknown }) : {};
  if (typeof info.info !== 'object' || !Array.isArray(info.item)) {
    throw new UsageError(
      `The collection ${shown} is not a Postman v2.1 collection (no info or item list): re-export it from Postman as Collection v2.1.`,
    );
  }
  return { parsed: parsed as object, sha256: sha256(bytes) };
}

/** The pool's public keys: the in-process stack has them; otherwise from the token's own issuer. */
async function poolJwks(issuer: string, stack: LocalStack | undefined): Promise<unknown> {
  if (stack) return stack.jwks;
  const url = `${issuer}/.well-known/jwks.json`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.json();
  } catch (error) {
    throw new UserError(
      `The user pool's public keys could not be fetched from ${url} (${(error as Error).message}): check AWS_REGION, COGNITO_USER_POOL_ID and COGNITO_ENDPOINT.`,
      { cause: error },
    );
  }
}

export async function runContract(options: ContractOptions): Promise<ContractResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const rootDir = options.rootDir;
  const reporters = options.reporters ?? REPORTERS;
  const writesFiles = writesRunFolder(reporters);
  // Fail on an unwritable reports folder or a broken collection before starting anything.
  const reportsDir = resolve(rootDir, options.reportsDir ?? 'reports');
  const collectionPath = resolve(rootDir, options.collectionPath ?? DEFAULT_COLLECTION);
  const collection = await readCollection(collectionPath, rootDir);
  const runFolder = writesFiles ? await createRunFolder(reportsDir, startedAt, options.target) : undefined;
  if (runFolder === undefined)
    return runInFolder(options, { startedAt, now, reporters, collection, collectionPath, reportsDir });
  options.onRunFolderCreated?.(runFolder);
  try {
    return await runInFolder(options, {
      startedAt,
      now,
      reporters,
      collection,
      collectionPath,
      reportsDir,
      runFolder,
    });
  } catch (error) {
    // A run that failed before writing any report leaves no empty folder behind (rmdir refuses a
    // folder with anything in it, so partial reports are kept).
    await rmdir(runFolder).catch(() => undefined);
    throw error;
  }
}

interface RunContext {
  readonly startedAt: Date;
  readonly now: () => Date;
  readonly reporters: readonly ReporterName[];
  readonly collection: { readonly parsed: object; readonly sha256: string };
  readonly collectionPath: string;
  readonly reportsDir: string;
  readonly runFolder?: string;
}

async function runInFolder(options: ContractOptions, context: RunContext): Promise<ContractResult> {
  const { startedAt, now, reporters, collection, collectionPath, reportsDir, runFolder } = context;
  const rootDir = options.rootDir;

  // The attacker key's RSA generation runs on libuv's pool while this thread starts the stack; a
  // failure here only means mintAttackTokens generates it itself.
  const attackerKeyReady = prepareAttackerKey().catch(() => undefined);
  let stack: LocalStack | undefined;
  try {
    let settings: TokenSettings;
    if (options.target === 'local') {
      const { startStack } = await import('../local-stack/stack.ts');
      stack = await startStack(options.stack);
      options.onStackStarted?.(stack);
      settings = settingsFromLocalStack(stack);
    } else {
      settings = options.settings;
    }

    const token = await obtainToken(settings, {
      rootDir,
      // The local stack lives only for this run: its token is useless afterwards, so keep it in memory.
      write: options.target === 'aws',
      ...(options.target === 'aws' && options.force ? { force: true } : {}),
    });
    options.onToken?.(token);
    const jwks = await poolJwks(token.claims.iss, stack);
    await attackerKeyReady;
    const attackValues = attackEnvironmentValues({
      idToken: token.idToken,
      ...(token.accessToken ? { accessToken: token.accessToken } : {}),
      poolJwks: jwks,
    });
    const values = [
      ...token.environment.values.filter(
        (v) =>
          !attackValues.some((a) => a.key === v.key) &&
          !(options.maxResponseMs && v.key === 'max_response_ms'),
      ),
      ...attackValues,
      ...(options.maxResponseMs
        ? [{ key: 'max_response_ms', value: String(options.maxResponseMs), type: 'default', enabled: true }]
        : []),
    ];
    const environment = { ...token.environment, values };
    const secretKeys = values.filter((v) => v.type === 'secret').map((v) => v.key);
    const redact = createRedactor([
      token.idToken,
      token.accessToken,
      token.refreshToken,
      settings.password,
      settings.clientSecret,
      settings.newPassword,
      ...attackValues.map((a) => a.value),
    ]);

    const iterations = options.iterations ?? 1;
    const title = `hello-api contract: target ${options.target} (${settings.apiUrl})`;
    const run = await runNewman({
      collection: collection.parsed,
      environment,
      iterations,
      timeoutRequestMs: options.timeoutRequestMs ?? 10_000,
      ...(runFolder ? { runFolder } : {}),
      reporters,
      title,
      secretKeys,
      redact,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const clauses = clauseResults(run.summary);
    const counts = countResults(clauses);
    const runError = run.runError ? redact(run.runError.message) : undefined;
    const verdict = decideVerdict({ clauses, counts, ...(runError === undefined ? {} : { runError }) });
    const junit = runFolder && reporters.includes('junit') ? junitPath(runFolder) : undefined;
    const files = { ...run.files, ...(junit ? { junit } : {}) };
    const result = {
      target: options.target,
      apiUrl: settings.apiUrl,
      startedAt,
      finishedAt: now(),
      ...(runFolder ? { runFolder } : {}),
      files,
      clauses,
      counts,
      ...(runError === undefined ? {} : { runError }),
      verdict,
      passed: verdict.passed,
      iterations,
      token: { claims: token.claims, reused: token.reused },
    };
    if (!runFolder) return result;

    // Every file of the run folder is rendered from this one object, which is also summary.json.
    const templatePath = defaultTemplatePath(options.target, rootDir);
    const summary = buildRunSummary({
      ...result,
      rootDir,
      runFolder,
      collection: { path: collectionPath, bytesSha256: collection.sha256, parsed: collection.parsed },
      environmentTemplate: { path: templatePath, sha256: await sha256File(templatePath) },
      suite: await suiteIdentity(rootDir),
      git: await gitState(rootDir),
      tools: toolVersions(),
      claims: token.claims,
    });
    if (junit) await writeJunitReport(summary, title, runFolder, redact);
    if (files.html) await insertRunBlock(files.html, summary, redact);
    const summaryFile = await writeRunSummary(summary, runFolder, redact);
    const index = await rebuildReportsIndex(reportsDir, redact);
    return { ...result, files: { ...files, summary: summaryFile, index } };
  } finally {
    await stack?.stop();
  }
}
