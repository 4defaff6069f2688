/**
 * The Node 20 build: every TypeScript file the commands run (not the test files) compiled by esbuild
 * into `.build/` (gitignored, never committed), one `.js` per `.ts`, with a manifest of the sources'
 * sizes and modification times. `npm ci` makes it (the `prepare` script); `common/run-ts.mjs` uses it on
 * a Node without native type stripping, and rebuilds it first whenever a source changed, so a command
 * never runs stale code. Plain JavaScript: it must run before anything can load TypeScript.
 *
 * Why not run the build's output with paths of its own: the sources find their resources (templates,
 * the collection's scripts, environments/generated, .env) relative to `import.meta.url`. Each compiled
 * file gets its source's `import.meta.url`, `dirname` and `filename` instead, so every such path means
 * what it means in the source tree, while its imports (their `.ts` specifiers rewritten to `.js`) stay inside
 * `.build/`.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = join(repoRoot, '.build');
export const manifestPath = join(buildDir, 'manifest.json');

/**
 * Folders the commands import from that tsconfig.json leaves to a tsconfig of their own: infra/ (the CDK
 * app, type-checked by infra/tsconfig.json) holds what `npm run deploy`, `destroy` and `user` import.
 * Without it those three could not even print their --help on Node 20.
 */
const OWN_TSCONFIG_DIRS = ['infra'];

/**
 * The folders to compile: tsconfig.json's `include` (one list for the type check and the build) and
 * OWN_TSCONFIG_DIRS, test files excepted, which run under the test runner's own loader; their helpers
 * are built, as the bench and a few spawned commands import them.
 */
export function sourceDirs() {
  const { include } = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.json'), 'utf8'));
  const included = Array.isArray(include) ? include.filter((dir) => typeof dir === 'string') : [];
  return [...new Set([...included, ...OWN_TSCONFIG_DIRS])];
}

/** Folders never searched: dependencies (infra/node_modules alone holds the whole CDK) and CDK output. */
const SKIPPED_DIRS = new Set(['node_modules', 'cdk.out', '.build']);

/** Every file under `dir`, without descending into SKIPPED_DIRS (a recursive readdir would walk them). */
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // a folder this checkout does not have
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : walk(path);
    return entry.isFile() ? [path] : [];
  });
}
/** Files whose change alters the output of every file: the compiler settings and this build itself. */
const BUILD_INPUTS = ['tsconfig.json', 'common/build-ts.mjs'];

/** Every `.ts` file under the source folders, as repository-relative paths with `/`. */
export function sourceFiles() {
  const files = [];
  for (const dir of sourceDirs()) {
    for (const path of walk(join(repoRoot, dir))) {
      const skipped = path.endsWith('.d.ts') || path.endsWith('.test.ts');
      if (path.endsWith('.ts') && !skipped) files.push(relative(repoRoot, path).split(sep).join('/'));
    }
  }
  return [...new Set(files)].sort();
}

/** `[mtimeMs, size]` of a repository file, or undefined if it is gone. */
function fingerprint(path) {
  try {
    const stat = statSync(join(repoRoot, path));
    return [stat.mtimeMs, stat.size];
  } catch {
    return undefined;
  }
}

/**
 * Why the build in `.build/` cannot be used for `entry` as it is, or undefined if it is current: it is
 * missing, it was made for other sources (a file changed, was removed, or the entry is new), or by
 * another build. A stat per file: about a millisecond for the whole tree.
 */
export function staleness(entry) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return 'there is no build yet';
  }
  const recorded = manifest?.files;
  if (typeof recorded !== 'object' || recorded === null) return 'its manifest is unreadable';
  // The compiled files hold their sources' absolute paths (see above): a moved checkout rebuilds.
  if (manifest.root !== repoRoot) return `it was made in ${manifest.root}`;
  if (entry !== undefined && !(entry in recorded)) return `${entry} is not in it`;
  for (const [path, expected] of Object.entries(recorded)) {
    const actual = fingerprint(path);
    if (actual === undefined) return `${path} was removed`;
    if (actual[0] !== expected[0] || actual[1] !== expected[1]) return `${path} changed`;
  }
  return undefined;
}

/** Writes `path` whole or not at all (a concurrent reader sees the old file or the new one). */
function writeAtomic(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/**
 * Compiles every source file into `.build/` and writes the manifest last, so that a build interrupted
 * half-way is seen as stale. Two processes building at once write identical files.
 */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const files = sourceFiles();
  // Fingerprints taken before compiling: a file edited during the build is rebuilt next time.
  const fingerprints = Object.fromEntries(
    [...files, ...BUILD_INPUTS].map((path) => [path, fingerprint(path)]).filter(([, print]) => print),
  );
  const result = await esbuild({
    absWorkingDir: repoRoot,
    entryPoints: files,
    outdir: buildDir,
    outbase: '.',
    // "Bundle" only so that the plugin sees every import: each one is external, so every output file
    // holds exactly its own source's code, importing its neighbours as Node would.
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'silent',
    write: false,
    plugins: [
      {
        name: 'keep-modules-separate',
        setup(builder) {
          builder.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            const relativeTs = /^\.\.?\//.test(args.path) && args.path.endsWith('.ts');
            return { path: relativeTs ? `${args.path.slice(0, -3)}.js` : args.path, external: true };
          });
          builder.onLoad({ filter: /\.ts$/ }, (args) => {
            const source = readFileSync(args.path, 'utf8');
            const contents = source
              .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
              .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
              .replaceAll('import.meta.filename', JSON.stringify(args.path));
            return { contents, loader: 'ts' };
          });
        },
      },
    ],
  });
  for (const file of result.outputFiles) writeAtomic(file.path, file.contents);
  writeAtomic(manifestPath, `${JSON.stringify({ root: repoRoot, files: fingerprints }, null, 1)}\n`);
  return files.length;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  build().then(
    (count) => {
      const ms = Math.round(performance.now() - started);
      process.stdout.write(`Compiled ${count} TypeScript files into .build/ in ${ms} ms.\n`);
    },
    (error) => {
      process.stderr.write(`The build into .build/ failed: ${error?.message ?? error}\n`);
      process.exitCode = 1;
    },
  );
}
