/**
 * `npm run contract` as a function: start the local stack (target local) or take the .env settings
 * (target aws), get the tokens through the token helper, mint what needs the pool's key, run the
 * collection with Newman, stop everything started, and report. The collection is generated in memory
 * from the API description the run serves and reports (`api`, default api/routes.ts), so the clauses
 * always match the routes; only a file given with `collectionPath` is read from disk. The committed
 * collection is an export for the Postman app (`npm run collection`) and is never what a run tests.
 */
import { readFile, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { choosePool, POOL_SETTING, poolIdOf } from '../api/pools.ts';
import { helloApi } from '../api/routes.ts';
import { type ApiSpec, type HandlerRef, routeKey } from '../api/spec.ts';
import { allowListKey, authorizerCoverage, type CoverageEntry, parseAllowList } from '../api/surface.ts';
import {
  DEFAULT_SETTINGS,
  differsFromDefault,
  type ExpectationSettings,
  strictFacts,
} from '../collections/assertions.ts';
import { type ClauseInfo, collectionRoutes, readClauseTable } from '../collections/clause.ts';
import { renderCollection } from '../collections/collection.ts';
import { generateContract, generationNotes } from '../collections/generate.ts';
import type { ContractPlan, MatrixMode } from '../collections/plan.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { UsageError, UserError } from '../common/cli-error.ts';
import { errorCode } from '../common/records.ts';
import { sha256 } from '../common/sha256.ts';
import type { LocalStack, LocalStackOptions } from '../local-stack/stack.ts';
import type { AttackerServer } from '../security/attacker-server.ts';
import { ATTACKS } from '../security/catalogue.ts';
import { mintPoolKeyTokens, type PoolKeyTokens, poolKeyTokenValues } from '../security/pool-key-tokens.ts';
import type { AuthFlowSetting } from '../token-helper/auth-flow.ts';
import {
  type ClientCredentialsSettings,
  obtainClientCredentialsToken,
} from '../token-helper/client-credentials.ts';
import { isLoopback } from '../token-helper/cognito-client.ts';
import type { Target, TokenSettings } from '../token-helper/config.ts';
import {
  environmentTemplateRead,
  obtainToken,
  settingsFromLocalStack,
  type TokenResult,
} from '../token-helper/index.ts';
import { insertRunBlock } from './html-report.ts';
import { junitPath, writeJunitReport } from './junit-report.ts';
import { type NewmanRunResult, ReportWriteError, runNewman } from './newman-run.ts';
import { gitState, suiteIdentity, toolVersions } from './provenance.ts';
import { createRedactor } from './redaction.ts';
import { createRunFolder } from './report-folder.ts';
import { REPORTERS, type ReporterName, writesRunFolder } from './reporters.ts';
import { rebuildReportsIndex } from './reports-index.ts';
import { type ClauseResult, countResults, type RunCounts } from './results.ts';
import { contractEnvironment } from './run-environment.ts';
import { buildRunSummary, writeRunSummary } from './run-summary.ts';
import { decideVerdict, type Verdict } from './verdict.ts';

/** The collection a run generated from an API description, kept in its report folder for auditors. */
export const GENERATED_COLLECTION = 'collection.postman_collection.json';

interface CommonOptions {
  /** Repository root: collection, templates and reports are resolved against it. */
  readonly rootDir: string;
  /** A collection file to run instead of the one generated from `api` (`--collection`). */
  readonly collectionPath?: string;
  /**
   * The API description: the collection is generated from it (unless `collectionPath` is given), the
   * local stack serves it, and the authorizer coverage is read from it. Default: api/routes.ts.
   */
  readonly api?: ApiSpec;
  /**
   * A confidential app client's client_credentials grant (CONTRACT_OAUTH_*), for the access token a
   * scoped method accepts; the local stack's own client when omitted on the local target.
   */
  readonly clientCredentials?: ClientCredentialsSettings;
  /** Comma-separated `METHOD /path` of methods that are public on purpose (CONTRACT_ALLOW_UNPROTECTED). */
  readonly allowUnprotected?: string;
  /**
   * Which open facts to assert as well (`--strict`): settled before generation, so a run with any
   * generates its collection from the description instead of reading the committed one.
   */
  readonly expectations?: ExpectationSettings;
  /**
   * The attack matrix (collections/plan.ts): `planned` (default) runs the whole catalogue once per
   * authorizer, `full` on every protected method (`--matrix full`, CONTRACT_MATRIX=full).
   */
  readonly matrix?: MatrixMode;
  readonly reportsDir?: string;
  readonly reporters?: readonly ReporterName[];
  readonly iterations?: number;
  readonly timeoutRequestMs?: number;
  /** Overrides the environment's max_response_ms. */
  readonly maxResponseMs?: number;
  /** Called once the run's report folder exists, so a caller can remove it if a signal ends the run. */
  readonly onRunFolderCreated?: (path: string) => void;
  /**
   * Aborted when the run is interrupted (Ctrl-C): reporter output stops at once and runContract rejects
   * with RunInterruptedError instead of reporting a run that did not finish.
   */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

export type ContractOptions = CommonOptions &
  (
    | {
        readonly target: 'local';
        /**
         * Called as the stack starts, with the start: a caller that stops on a signal registers its
         * stop now (awaiting the start), not once it is up. A signal during the start otherwise found
         * nothing to stop while the emulator was still writing into its data directory.
         */
        readonly onStackStarting?: (starting: Promise<LocalStack>) => void;
        /** How to sign in to the embedded stack (CONTRACT_AUTH_FLOW); `auto` when unset. */
        readonly authFlow?: AuthFlowSetting;
        /** The Lambda for methods the description names none for (`--handler`); default: a stand-in. */
        readonly handler?: HandlerRef;
      }
    | {
        readonly target: 'aws';
        /** The validated settings of the deployment. */
        readonly settings: TokenSettings;
        /** Sign in even if a saved token is still good. */
        readonly force?: boolean;
      }
  );

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
    readonly collection?: string;
  };
  readonly clauses: readonly ClauseResult[];
  readonly counts: RunCounts;
  /** Every method of the description and its authorizer; undefined for a collection without description. */
  readonly coverage?: readonly CoverageEntry[];
  /** Which attack matrix the collection was generated with; undefined for a collection file given. */
  readonly plan?: ContractPlan;
  /** Clauses the description's shape leaves out, each with why (collections/generate.ts generationNotes). */
  readonly notes?: readonly string[];
  /** The collection's own name (info.name), e.g. "hello-api contract": how the summary titles the run. */
  readonly collectionName?: string;
  readonly runError?: string;
  /** The one verdict every artifact shows; `passed` is `verdict.passed`. */
  readonly verdict: Verdict;
  readonly passed: boolean;
  readonly iterations: number;
  readonly token: Pick<TokenResult, 'claims' | 'reused' | 'flow'>;
}

interface LoadedCollection {
  readonly parsed: object;
  readonly bytes: Buffer;
  readonly sha256: string;
  /** Where it came from, for summary.json: a file path, or the generated file in the run folder. */
  readonly path: string;
  readonly generated: boolean;
  readonly table: ReadonlyMap<string, ClauseInfo> | undefined;
}

/** Reads a collection file, checking it is one; the SHA-256 is of the very bytes parsed. */
async function readCollectionFile(path: string, rootDir: string): Promise<LoadedCollection> {
  const shown = displayFrom(rootDir, path);
  // `path` is absolute, so it is shown as given only when it lies outside the repository.
  const inRepo = shown !== path;
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
  return {
    parsed: parsed as object,
    bytes,
    sha256: sha256(bytes),
    path,
    generated: false,
    table: readClauseTable(parsed),
  };
}

/**
 * The collection of an API description, generated in memory: the one place a run calls the generator,
 * with the expectation settings settled before generation.
 */
function generatedCollection(
  api: ApiSpec,
  rootDir: string,
  settings: ExpectationSettings,
  matrix: MatrixMode | undefined,
  signedInPoolId: string | undefined,
): { readonly collection: LoadedCollection; readonly plan: ContractPlan } {
  const { clauses, plan } = generateContract(api, ATTACKS, settings, matrix, signedInPoolId);
  const bytes = Buffer.from(renderCollection(api, clauses), 'utf8');
  const parsed = JSON.parse(bytes.toString('utf8')) as object;
  return {
    collection: {
      parsed,
      bytes,
      sha256: sha256(bytes),
      path: resolve(rootDir, api.source.path),
      generated: true,
      table: readClauseTable(parsed),
    },
    plan,
  };
}

function collectionName(parsed: object): string | undefined {
  const info = (parsed as { info?: { name?: unknown } }).info;
  return typeof info?.name === 'string' && info.name !== '' ? info.name : undefined;
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

/** The allow-list, checked against the description: a typo must not silently allow nothing. */
function allowListFor(api: ApiSpec | undefined, text: string | undefined): Set<string> {
  const { entries, malformed } = parseAllowList(text ?? '');
  if (malformed.length > 0) {
    throw new UsageError(
      `CONTRACT_ALLOW_UNPROTECTED has entries that are not "METHOD /path" (${malformed.join(', ')}): write them like "OPTIONS /items, GET /health, ANY /proxy/{proxy+}".`,
    );
  }
  if (api !== undefined) {
    const known = new Set(api.routes.map(allowListKey));
    const unknown = [...entries].filter((entry) => !known.has(entry));
    if (unknown.length > 0) {
      // A method an `ANY` declaration stands for is allow-listed as that declaration.
      const asAny = unknown.flatMap((entry) => {
        const path = entry.slice(entry.indexOf(' ') + 1);
        return known.has(`ANY ${path}`) ? [`${entry} (declared as ANY ${path}: name that)`] : [];
      });
      throw new UsageError(
        asAny.length > 0
          ? `CONTRACT_ALLOW_UNPROTECTED names ${asAny.join(', ')}: one ANY declaration is one entry.`
          : `CONTRACT_ALLOW_UNPROTECTED names ${unknown.join(', ')}, which the API description does not have: remove ${unknown.length === 1 ? 'it' : 'them'} or check the path as the description writes it.`,
      );
    }
  }
  return entries;
}

/** What each write error means, in the user's words, and what to do about it. */
const WRITE_ERRORS: Readonly<Record<string, { readonly what: string; readonly fix: string }>> = {
  ENOSPC: { what: 'the disk is full', fix: 'free some space or choose another folder with --reports-dir' },
  EDQUOT: {
    what: 'the disk quota is used up',
    fix: 'free some space or choose another folder with --reports-dir',
  },
  EFBIG: {
    what: 'a file outgrew the file-size limit',
    fix: 'raise the limit (`ulimit -f unlimited`) or run fewer --iterations',
  },
  EROFS: { what: 'the file system is read-only', fix: 'choose a writable folder with --reports-dir' },
  EACCES: { what: 'the folder is not writable', fix: 'choose a writable folder with --reports-dir' },
  EPERM: { what: 'the folder is not writable', fix: 'choose a writable folder with --reports-dir' },
  EIO: {
    what: 'the disk reported an I/O error',
    fix: 'check the disk, or choose another folder with --reports-dir',
  },
};

/**
 * The run happened and was decided, but its reports could not be written: one sentence with the
 * verdict, the cause and the fix. Exit 1 (README, exit codes): CI must not take a run without reports
 * for a pass. runContract removes the run folder, so no half-written report is left.
 */
export class ReportsNotWrittenError extends UserError {
  override readonly name: string = 'ReportsNotWrittenError';
  readonly verdict: Verdict;

  constructor(runFolder: string, rootDir: string, verdict: Verdict, cause: unknown) {
    const code = errorCode(cause) ?? 'unknown error';
    const meaning = WRITE_ERRORS[code] ?? {
      what: 'a report could not be written',
      fix: 'choose another folder with --reports-dir',
    };
    super(
      `The run's reports could not be written to ${displayFrom(rootDir, runFolder)} (${code}: ${meaning.what}), so none of them was kept; the run itself was ${verdict.result} (${verdict.summary}): ${meaning.fix}, and run again.`,
      { cause },
    );
    this.verdict = verdict;
  }
}

/**
 * A collection made for another API than the one the run serves would send every clause to methods
 * that are not there and fail each with a 403 or 404, for a minute and a half, without saying why:
 * refused before anything starts, when a method the collection tests as defined is not in the API.
 */
function checkCollectionFitsApi(
  collection: LoadedCollection,
  served: ApiSpec,
  target: Target,
  rootDir: string,
): void {
  const tested = collectionRoutes(collection.parsed);
  const defined = new Set(served.routes.map(routeKey));
  const missing = tested.filter((route) => !defined.has(route));
  if (missing.length === 0) return;
  const list = (routes: readonly string[]) =>
    routes.length > 3 ? `${routes.slice(0, 3).join(', ')} and ${routes.length - 3} more` : routes.join(', ');
  const where = target === 'local' ? 'served by the local stack' : 'as --api-spec describes it';
  throw new UsageError(
    `The collection ${displayFrom(rootDir, collection.path)} was made for another API: it tests ${list(missing)}, which ${served.name} (${where}, with ${list([...defined].sort())}) does not have: give --collection the collection made for ${served.name}, or --api-spec the description the collection was made from.`,
  );
}

/** Relative to the project root when inside it, as the user typed it. */
function displayFrom(rootDir: string, path: string): string {
  const inside = relative(rootDir, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

/**
 * The pool the run tests (api/pools.ts) must be the pool it signs in to, or every method it tests would
 * refuse the run's own token: a placeholder ARN (`arn:aws:1`, an example account, a pool of another
 * stage) is refused in one sentence before anything is sent. Pools named by a template reference
 * (`!GetAtt UserPool.Arn`, an ARN completed only when deployed) are the deployed pool by construction.
 */
function checkPools(api: ApiSpec, userPoolId: string): void {
  const choice = choosePool(api, userPoolId);
  if (choice === undefined) return;
  const arn = api.authorizers
    .flatMap((authorizer) => authorizer.pools)
    .find((pool) => pool.key === choice.key)?.arn;
  if (arn === undefined || poolIdOf(arn) === userPoolId) return;
  throw new UsageError(
    `The API description's pool ${arn} (${choice.why}) is not the pool signed in to, COGNITO_USER_POOL_ID ${userPoolId}: sign in to that pool (COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID in .env), choose another of the description's pools with ${POOL_SETTING}, or export the deployed stage again if the ARN is a placeholder.`,
  );
}

/**
 * The parts a run is composed of. `runContract` uses the product's own; `composeContractRun` takes
 * others, so a test can run the contract against a stack with a weakened part or watch the token it
 * must never find in any output (tests/support/weakened-stack.ts), with no hook in ContractOptions.
 */
export interface ContractParts {
  /** Starts the embedded stack for the local target (given the description the run serves). */
  readonly startStack: (options: LocalStackOptions) => Promise<LocalStack>;
  readonly obtainToken: typeof obtainToken;
}

export const DEFAULT_CONTRACT_PARTS: ContractParts = {
  startStack: async (stackOptions) => (await import('../local-stack/stack.ts')).startStack(stackOptions),
  obtainToken,
};

export function runContract(options: ContractOptions): Promise<ContractResult> {
  return composeContractRun(options, DEFAULT_CONTRACT_PARTS);
}

/** A run with the parts `parts` gives (DEFAULT_CONTRACT_PARTS: the product's run). */
export async function composeContractRun(
  options: ContractOptions,
  parts: ContractParts,
): Promise<ContractResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const rootDir = options.rootDir;
  const reporters = options.reporters ?? REPORTERS;
  const writesFiles = writesRunFolder(reporters);
  // Fail on a broken description, collection or reports folder before starting anything.
  const api = options.api ?? (options.collectionPath === undefined ? helloApi : undefined);
  const allowList = allowListFor(api, options.allowUnprotected);
  // On AWS the run signs in to the .env pool: it is the pool tested when the description names it.
  const signedInPoolId = options.target === 'aws' ? options.settings.userPoolId : undefined;
  if (signedInPoolId !== undefined && api !== undefined) checkPools(api, signedInPoolId);
  const reportsDir = resolve(rootDir, options.reportsDir ?? 'reports');
  const expectations = options.expectations ?? DEFAULT_SETTINGS;
  const strict = strictFacts(expectations);
  if (strict.length > 0 && options.collectionPath !== undefined) {
    throw new UsageError(
      `--strict settles the expectations before the collection is generated, so it cannot change the file given to --collection: drop --collection, or drop --strict (it names ${strict.join(', ')}).`,
    );
  }
  if (differsFromDefault(expectations) && options.collectionPath !== undefined) {
    throw new UsageError(
      '--refusal-headers and the slowdown bound settle the expectations before the collection is generated, so they cannot change the file given to --collection: drop --collection, or generate that file with npm run collection and the same settings.',
    );
  }
  // Generated here from the description the run serves, with its plan; a file the user gave has none.
  const { collection, plan } =
    options.collectionPath === undefined
      ? generatedCollection(api ?? helloApi, rootDir, expectations, options.matrix, signedInPoolId)
      : {
          collection: await readCollectionFile(resolve(rootDir, options.collectionPath), rootDir),
          plan: undefined,
        };
  const served = options.target === 'local' ? (api ?? helloApi) : api;
  if (served !== undefined && options.collectionPath !== undefined) {
    checkCollectionFitsApi(collection, served, options.target, rootDir);
  }
  const runFolder = writesFiles ? await createRunFolder(reportsDir, startedAt, options.target) : undefined;
  const context: RunContext = {
    startedAt,
    now,
    reporters,
    collection,
    reportsDir,
    api,
    allowList,
    ...(plan ? { plan } : {}),
  };
  if (runFolder === undefined) return runInFolder(options, parts, context);
  options.onRunFolderCreated?.(runFolder);
  try {
    return await runInFolder(options, parts, { ...context, runFolder });
  } catch (error) {
    // A run that did not finish its reports leaves nothing behind: an unfinished report.html (no
    // verdict banner, no totals) or a summary.json without its report would read as a finished run.
    await rm(runFolder, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

interface RunContext {
  readonly startedAt: Date;
  readonly now: () => Date;
  readonly reporters: readonly ReporterName[];
  readonly collection: LoadedCollection;
  readonly reportsDir: string;
  readonly api: ApiSpec | undefined;
  readonly allowList: ReadonlySet<string>;
  readonly plan?: ContractPlan;
  readonly runFolder?: string;
}

/** Only the local emulator's pool publishes a key whose private half is known (it ships in cognito-local). */
async function poolKeyTokensFor(token: TokenResult, jwks: unknown): Promise<PoolKeyTokens | undefined> {
  const { emulatorSigningKey, isEmulatorKeySet } = await import('../local-stack/cognito/emulator-key.ts');
  if (!isEmulatorKeySet(jwks)) return undefined;
  return mintPoolKeyTokens({
    idToken: token.idToken,
    ...(token.accessToken ? { accessToken: token.accessToken } : {}),
    poolPrivateKey: emulatorSigningKey().privateJwk,
    poolJwks: jwks,
  });
}

async function runInFolder(
  options: ContractOptions,
  parts: ContractParts,
  context: RunContext,
): Promise<ContractResult> {
  const { startedAt, now, reporters, collection, reportsDir, runFolder, api, plan } = context;
  const rootDir = options.rootDir;

  let starting: Promise<LocalStack> | undefined;
  let stack: LocalStack | undefined;
  let attackerStarting: Promise<AttackerServer> | undefined;
  let attacker: AttackerServer | undefined;
  try {
    // The template is read once: a broken one is refused before a stack starts for nothing, the token
    // helper fills it as read, and summary.json records the digest of those bytes.
    const template = await environmentTemplateRead(options.target, { rootDir });
    let settings: TokenSettings;
    if (options.target === 'local') {
      const { startAttackerServer } = await import('../security/attacker-server.ts');
      const stackOptions: LocalStackOptions = {
        ...(api ? { api } : {}),
        ...(options.handler ? { handler: options.handler } : {}),
      };
      starting = parts.startStack(stackOptions);
      options.onStackStarting?.(starting);
      attackerStarting = startAttackerServer();
      [stack, attacker] = await Promise.all([starting, attackerStarting]);
      settings = {
        ...settingsFromLocalStack(stack),
        ...(options.authFlow ? { authFlow: options.authFlow } : {}),
      };
    } else {
      settings = options.settings;
      // The jku, x5u and issuer-discovery rows need a key set the API can fetch: a loopback API (a
      // gateway run on this machine) can reach a loopback attacker server; an API on AWS cannot, and
      // those rows are skipped with why rather than pointed at a host nobody answers.
      if (isLoopback(settings.apiUrl)) {
        const { startAttackerServer } = await import('../security/attacker-server.ts');
        attackerStarting = startAttackerServer();
        attacker = await attackerStarting;
      }
    }

    const token = await parts.obtainToken(settings, {
      rootDir,
      template: template.environment,
      // The local stack lives only for this run: its token is useless afterwards, so keep it in memory.
      write: options.target === 'aws',
      ...(options.target === 'aws' && options.force ? { force: true } : {}),
    });
    // A scoped method accepts only an access token carrying one of its scopes: the client_credentials
    // grant of the local stack's confidential app client gives one (none on AWS unless configured).
    const grant = options.clientCredentials ?? stack?.cognito.clientCredentials;
    const scoped = grant ? await obtainClientCredentialsToken(grant) : undefined;
    const jwks = await poolJwks(token.claims.iss, stack);
    const poolKeyTokens = await poolKeyTokensFor(token, jwks);
    const environment = contractEnvironment(token.environment, {
      ...(token.accessToken ? { accessToken: token.accessToken } : {}),
      poolJwks: jwks,
      ...(poolKeyTokens ? { poolKeyTokens } : {}),
      ...(attacker ? { attacker } : {}),
      // Every report of this run passes through the redactor below, URLs included.
      queryTokens: 'redacted',
      ...(stack ? { stackRunId: stack.runId } : {}),
      allowUnprotected: [...context.allowList].join(', '),
      ...(options.maxResponseMs ? { maxResponseMs: options.maxResponseMs } : {}),
      ...(grant
        ? { clientCredentials: { ...grant, ...(scoped ? { accessToken: scoped.accessToken } : {}) } }
        : {}),
    });
    const secretKeys = environment.values.filter((v) => v.type === 'secret').map((v) => v.key);
    const redact = createRedactor([
      token.idToken,
      token.accessToken,
      token.refreshToken,
      settings.password,
      settings.clientSecret,
      settings.newPassword,
      grant?.clientSecret,
      scoped?.accessToken,
      ...(poolKeyTokens ? poolKeyTokenValues(poolKeyTokens) : []),
    ]);

    const iterations = options.iterations ?? 1;
    const title = `${api?.name ?? 'API'} contract: target ${options.target} (${settings.apiUrl})`;
    let run: NewmanRunResult;
    // A report file that could not be written: the run still happened and is decided below, so the
    // failure can say what the verdict was.
    let writeFailure: unknown;
    try {
      run = await runNewman({
        collection: collection.parsed,
        clauseTable: collection.table,
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
    } catch (error) {
      if (!(error instanceof ReportWriteError)) throw error;
      run = error.result;
      writeFailure = error.cause;
    }
    const { clauses } = run;
    const counts = countResults(clauses);
    const runError = run.runError ? redact(run.runError.message) : undefined;
    const verdict = decideVerdict({ clauses, counts, ...(runError === undefined ? {} : { runError }) });
    const junit = runFolder && reporters.includes('junit') ? junitPath(runFolder) : undefined;
    const files = { ...run.files, ...(junit ? { junit } : {}) };
    const coverage = api === undefined ? undefined : authorizerCoverage(api, context.allowList);
    const notes = api === undefined ? [] : generationNotes(api);
    const named = collectionName(collection.parsed);
    const result = {
      target: options.target,
      apiUrl: settings.apiUrl,
      startedAt,
      finishedAt: now(),
      ...(runFolder ? { runFolder } : {}),
      files,
      clauses,
      counts,
      ...(coverage ? { coverage } : {}),
      ...(plan ? { plan } : {}),
      ...(notes.length > 0 ? { notes } : {}),
      ...(named === undefined ? {} : { collectionName: named }),
      ...(runError === undefined ? {} : { runError }),
      verdict,
      passed: verdict.passed,
      iterations,
      token: { claims: token.claims, reused: token.reused, flow: token.flow },
    };
    if (!runFolder) return result;
    if (writeFailure !== undefined)
      throw new ReportsNotWrittenError(runFolder, rootDir, verdict, writeFailure);
    try {
      // A generated collection is kept beside the reports: the auditor can import exactly what ran.
      const collectionFile = collection.generated ? join(runFolder, GENERATED_COLLECTION) : undefined;
      if (collectionFile) await writeFileAtomic(collectionFile, collection.bytes, { mode: 0o644 });
      const summary = buildRunSummary({
        ...result,
        rootDir,
        runFolder,
        collection: {
          path: collectionFile ?? collection.path,
          bytesSha256: collection.sha256,
          parsed: collection.parsed,
        },
        environmentTemplate: { path: template.path, sha256: template.sha256 },
        suite: await suiteIdentity(rootDir),
        git: await gitState(rootDir),
        tools: toolVersions(),
        claims: token.claims,
        signInFlow: token.flow,
        ...(api ? { api } : {}),
        ...(coverage ? { coverage } : {}),
        ...(plan ? { plan } : {}),
      });
      // Every file of the run folder is rendered from this one object, which is also summary.json.
      if (junit) await writeJunitReport(summary, title, runFolder, redact);
      if (files.html) await insertRunBlock(files.html, summary, redact);
      const summaryFile = await writeRunSummary(summary, runFolder, redact);
      const index = await rebuildReportsIndex(reportsDir, redact);
      return {
        ...result,
        files: {
          ...files,
          summary: summaryFile,
          index,
          ...(collectionFile ? { collection: collectionFile } : {}),
        },
      };
    } catch (error) {
      // A file-system error (ENOSPC, EFBIG, EROFS, …) while writing: said in one sentence with the verdict.
      if (errorCode(error) === undefined) throw error;
      throw new ReportsNotWrittenError(runFolder, rootDir, verdict, error);
    }
  } finally {
    // Each server that started, even when the other failed to start beside it (stop() is idempotent).
    const stop = (server: Promise<{ stop(): Promise<void> }> | undefined) =>
      server?.then(
        (started) => started.stop(),
        () => undefined,
      );
    await Promise.all([stop(starting), stop(attackerStarting)]);
  }
}
