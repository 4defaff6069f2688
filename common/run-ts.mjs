/**
 * Runs one of the project's TypeScript entry points with no transpiler loaded at run time:
 * `node common/run-ts.mjs scripts/contract.ts [args…]`, what every npm script runs.
 *
 * - On a Node that strips types itself (22.18 and newer, 24 included: `process.features.typescript`),
 *   the `.ts` file is imported as it is; the sources are written for that (`.ts` import specifiers,
 *   `erasableSyntaxOnly`, `verbatimModuleSyntax`).
 * - On Node 20 it runs the `.js` that `npm ci` compiled into `.build/` (common/build-ts.mjs). Before
 *   that it compares each source's size and modification time with the build's manifest (about a
 *   millisecond) and rebuilds first if any differs, so an edited source is never run stale.
 *
 * Both use Node's compile cache where the runtime has it (`module.enableCompileCache`, Node 22.1+).
 * Measured in docs/benchmarks.md: tsx's loader cost about 0.3 s of every start.
 */
import module from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// In node_modules/.cache rather than the OS temp folder: `npm ci` starts it afresh with the modules
// it caches, and no temp-folder sweep takes it away between runs.
module.enableCompileCache?.(
  resolve(import.meta.dirname, '..', 'node_modules', '.cache', 'node-compile-cache'),
);

const [entryArg] = process.argv.splice(2, 1);
if (entryArg === undefined || !entryArg.endsWith('.ts')) {
  process.stderr.write(
    'Usage: node common/run-ts.mjs <file.ts> [arguments...]: name the TypeScript entry point.\n',
  );
  process.exit(2);
}
const entry = resolve(entryArg);
// The entry point sees the argv that `node entry.ts args…` would give it.
process.argv[1] = entry;

/**
 * Imports the entry point. A module that cannot be found (a dependency not installed, a file missing
 * from the build) is one sentence with the fix instead of Node's stack trace; whatever the entry point
 * itself throws is its own to report (every command runs under common/cli-error.ts's runCli).
 */
async function start(url) {
  try {
    await import(url);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || process.argv.includes('--debug')) throw error;
    const missing = /Cannot find (?:module|package) '([^']+)'/.exec(error.message)?.[1] ?? 'a module';
    const infra = missing.includes('/infra/') || /aws-cdk|constructs/.test(missing);
    process.stderr.write(
      `${entryArg} cannot start: ${missing} is missing: run \`npm ci\`${infra ? ' and `npm ci --prefix infra`' : ''} in ${resolve(import.meta.dirname, '..')} (or re-run with --debug for the stack trace).\n`,
    );
    process.exit(2);
  }
}

// RUN_TS_BUILD=1 takes the build path on any Node (the tests of this launcher use it on Node 24).
if (process.features.typescript && process.env.RUN_TS_BUILD !== '1') {
  await start(pathToFileURL(entry).href);
} else {
  const { build, buildDir, repoRoot, staleness } = await import('./build-ts.mjs');
  const inRepo = entry.startsWith(`${repoRoot}/`) ? entry.slice(repoRoot.length + 1) : undefined;
  if (inRepo === undefined) {
    process.stderr.write(
      `${entryArg} is outside ${repoRoot}: only the project's own entry points run here.\n`,
    );
    process.exit(2);
  }
  if (staleness(inRepo) !== undefined) {
    try {
      await build();
    } catch (error) {
      process.stderr.write(
        `The compiled copy in .build/ is out of date (${staleness(inRepo)}) and could not be rebuilt (${error?.message ?? error}): run \`npm ci\`, or use Node 22.18 or newer, which runs TypeScript itself.\n`,
      );
      process.exit(2);
    }
  }
  // A route's Lambda is imported by its source path (local-stack/stack.ts): map it to its compiled file.
  globalThis[Symbol.for('hello-api.runnable-url')] = (url) =>
    url.startsWith(pathToFileURL(`${repoRoot}/`).href) && url.endsWith('.ts')
      ? pathToFileURL(`${buildDir}/${url.slice(pathToFileURL(`${repoRoot}/`).href.length, -3)}.js`).href
      : url;
  if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
  await start(pathToFileURL(`${buildDir}/${inRepo.slice(0, -3)}.js`).href);
}
