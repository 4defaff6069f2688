/**
 * Turns the generated clauses (collections/generate.ts) into a Postman v2.1 collection: one request per
 * clause, grouped in folders, no script of its own. The collection-level pre-request defines the
 * sandbox library once per run (collections/sandbox/, bundled by collections/sandbox-bundle.ts), signs
 * in, and prepares each request from its clause; the collection-level test checks the answer. Each
 * clause travels with its request as a disabled header (never sent), where the library and the runner
 * (contract-runner/results.ts) both read it. Per request, that is two script executions whatever the
 * number of clauses, and no large variable: the sandbox serialises every variable for every script it
 * runs, and a 300 kB clause table held in one made a run five times slower (measured, see
 * docs/benchmarks.md).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApiSpec } from '../api/spec.ts';
import { attackerKey } from '../security/attacker-key.ts';
import { type AttackRow, attackById } from '../security/catalogue.ts';
import { SLOWDOWN_DEFAULTS } from '../security/refusal-bounds.ts';
import { CLAUSE_HEADER, type Clause } from './clause.ts';
import { generateClauses, generationNotes, stableId } from './generate.ts';
import type { SandboxAttacker } from './sandbox/attack-builders.ts';
import { bundleSandbox, CONTRACT_ENTRY, sandboxDigest } from './sandbox-bundle.ts';

const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

/** Defaults the environment may override (docs: README "Options"). */
export const COLLECTION_DEFAULTS = {
  max_response_ms: '10000',
  /** "refuse": also assert 401 for the open-point rows (the local stack's documented guess). */
  open_points: 'no-5xx',
  /** Comma-separated `METHOD /path` of methods that are public on purpose (e.g. CORS preflights). */
  allow_unprotected: '',
  /** Pins the status a path variant must get (empty: any 4xx). */
  path_variant_status: '',
  /** What a scoped method may answer a token without its scope (docs say 401, one simulator 403). */
  scope_refusal_statuses: '401,403',
  /** The attacker server the API can reach (empty: the rows that need it are skipped, with why). */
  attacker_jwks_url: '',
  attacker_x5u_url: '',
  /** Headers a refusal may carry beyond API Gateway's own (CORS, customised gateway responses). */
  refusal_headers: '',
  /** A refusal may take slowdown_factor × the slowest accepted answer + slowdown_margin_ms. */
  slowdown_factor: String(SLOWDOWN_DEFAULTS.factor),
  slowdown_margin_ms: String(SLOWDOWN_DEFAULTS.marginMs),
  /** "redacted" where the runner redacts tokens from reports' URLs: only then are query-string tokens sent. */
  query_tokens: '',
} as const;

function script(listen: 'prerequest' | 'test', code: string) {
  return { listen, script: { type: 'text/javascript', exec: code.split('\n') } };
}

/** What the sandbox's attack builders need of the committed attacker key (public on purpose). */
function attackerKeyForSandbox(): SandboxAttacker {
  const key = attackerKey();
  return {
    kid: key.kid,
    privateJwk: key.privateJwk,
    publicJwk: key.publicJwk,
    certificateDer: key.certificateDer,
  };
}

/** The committed collection (collections/build.ts writes it): also the cache of the bundled library. */
export const COMMITTED_COLLECTION = new URL('./hello-api.postman_collection.json', import.meta.url);

/**
 * The collection-level pre-request: the sandbox library, defined once per run and kept for the run's
 * later scripts, then this request's preparation. The sandbox serialises and compiles this whole script
 * before every request, so its size is paid per request (docs/benchmarks.md, measure 6): the library is
 * bundled and minified by esbuild (minifying took 21.5 → 18.1 ms a clause, median of 5 alternating
 * pairs at load ~1, docs/benchmarks.md). Bundling takes esbuild about 200 ms, too much for every run, so
 * a run reuses the committed collection's script when its version (the digest of every bundled source,
 * collections/sandbox-bundle.ts) is the same, which the unit test keeps true for the sources as
 * committed; after an edit to collections/sandbox/ or anything it imports it bundles afresh.
 * `reuse: false` always bundles (the unit test compares that with the committed script).
 */
export function collectionPrerequest(options: { readonly reuse?: boolean } = {}): string {
  const attacker = JSON.stringify(attackerKeyForSandbox());
  // The digest covers the script around the library as well: a reused script must be this one whole.
  const version = sandboxDigest(CONTRACT_ENTRY, `${attacker}\n${prerequestAround('', '')}`);
  const committed = options.reuse === false ? undefined : committedPrerequest();
  if (committed?.includes(versionGuard(version))) return committed;
  const library = bundleSandbox(CONTRACT_ENTRY, {
    name: 'contract',
    binding: 'assign',
    define: { CONTRACT_VERSION: JSON.stringify(version), CONTRACT_ATTACKER: attacker },
  });
  return prerequestAround(version, library);
}

function versionGuard(version: string): string {
  return `if (typeof contract === 'undefined' || contract.version !== '${version}') {`;
}

function prerequestAround(version: string, library: string): string {
  return [
    "// The contract's sandbox library, defined once per run and kept for the run's later scripts.",
    '// Generated by collections/collection.ts from collections/sandbox/ (readable, commented TypeScript',
    '// there), bundled and minified because the sandbox compiles this script before every request.',
    versionGuard(version),
    library,
    '}',
    '// Sign in if the tokens need it, then prepare this request from its clause.',
    'contract.beforeRequest(pm);',
  ].join('\n');
}

/** The committed collection's pre-request, or undefined where it is missing or not one. */
function committedPrerequest(): string | undefined {
  try {
    const document: { event?: readonly { listen?: unknown; script?: { exec?: unknown } }[] } = JSON.parse(
      readFileSync(COMMITTED_COLLECTION, 'utf8'),
    );
    const exec: unknown = document.event?.find((event) => event.listen === 'prerequest')?.script?.exec;
    return Array.isArray(exec) && exec.every((line): line is string => typeof line === 'string')
      ? exec.join('\n')
      : undefined;
  } catch {
    // Missing, unreadable or not shaped like a collection: no cache, the library is bundled afresh.
    return undefined;
  }
}

const COLLECTION_TEST = [
  "if (typeof contract === 'undefined') {",
  "  pm.test('The contract library is loaded', function () {",
  "    throw new Error('the collection-level pre-request did not run: run the collection, not a copied request');",
  '  });',
  '} else {',
  '  contract.check(pm);',
  '}',
].join('\n');

function describe(clause: Clause, row: AttackRow | undefined): string {
  const lines = [`**Expected status:** ${clause.expectedStatus}`];
  if (row) {
    lines.push(
      `**Sends:** ${row.sends} (${clause.send.authorization === 'token' ? clause.send.form : 'no header'})`,
    );
    lines.push(`**Why:** ${row.why}`);
    lines.push(`**Catalogue row:** \`${row.id}\` (security/catalogue.ts)`);
  }
  if (clause.needs) lines.push(`**Needs:** ${clause.needs}; skipped where that is not available.`);
  lines.push(`**Clause key:** \`${clause.key}\``);
  return lines.join('\n\n');
}

function request(clause: Clause) {
  const row = clause.row === undefined ? undefined : attackById(clause.row);
  const segments = clause.path.split('/').slice(1);
  return {
    id: clause.id,
    name: clause.name,
    request: {
      // No auth helper at any level: the clause alone decides the Authorization header.
      auth: { type: 'noauth' },
      method: clause.method,
      // Disabled: Newman and the app never send it; the scripts and the runner read it.
      header: [{ key: CLAUSE_HEADER, value: JSON.stringify(clause), type: 'text', disabled: true }],
      url: { raw: `{{baseUrl}}${clause.path}`, host: ['{{baseUrl}}'], path: segments },
      description: describe(clause, row),
    },
    response: [],
  };
}

export function buildCollection(api: ApiSpec, clauses: readonly Clause[] = generateClauses(api)) {
  const folders: { name: string; clauses: Clause[] }[] = [];
  for (const clause of clauses) {
    const folder = folders.find((candidate) => candidate.name === clause.folder);
    if (folder) folder.clauses.push(clause);
    else folders.push({ name: clause.folder, clauses: [clause] });
  }
  const tableText = JSON.stringify(clauses);
  return {
    info: {
      // Stable, so re-importing in the Postman app updates the collection instead of adding a copy.
      _postman_id: stableId(`collection:${api.name}`),
      name: `${api.name} contract`,
      // The clause table's digest: it changes exactly when a clause is added, removed or changes meaning.
      version: `2.0.0+${createHash('sha256').update(tableText).digest('hex').slice(0, 12)}`,
      description:
        `The contract of ${api.name} (stage ${api.stage}) on API Gateway REST behind a Cognito user pool authorizer, ` +
        `generated from ${api.source.path} and the attack catalogue: ${clauses.length} clauses. Pick an environment ` +
        '(local or aws), fill username and password, run. The collection signs in by itself and builds every ' +
        'attack token it can from the live token; clauses that need what this environment lacks show as skipped, with why.' +
        generationNotes(api)
          .map((note) => ` ${note}`)
          .join(''),
      schema: POSTMAN_SCHEMA,
    },
    auth: { type: 'noauth' },
    event: [script('prerequest', collectionPrerequest()), script('test', COLLECTION_TEST)],
    variable: Object.entries(COLLECTION_DEFAULTS).map(([key, value]) => ({ key, value, type: 'string' })),
    item: folders.map((folder) => ({
      name: folder.name,
      auth: { type: 'noauth' },
      item: folder.clauses.map(request),
    })),
  };
}

export function renderCollection(api: ApiSpec, clauses: readonly Clause[] = generateClauses(api)): string {
  return `${JSON.stringify(buildCollection(api, clauses), null, 2)}\n`;
}
