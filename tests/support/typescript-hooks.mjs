/**
 * Node 20's loader hooks for the test files (registered by load-typescript.mjs): a `.ts` module is
 * loaded as the JavaScript esbuild makes of it. Node 20 resolves a relative `.ts` specifier itself (the file exists)
 * and only cannot load it, so only `load` is hooked, and every URL, `import.meta.url` and bare
 * specifier resolves exactly as it would for the source.
 *
 * Why not tsx, which did this before: its loader cost about 0.16 s of CPU in every test process and
 * every module compiled again per process (docs/benchmarks.md); these hooks cost about 0.04 s, and
 * each file's JavaScript is kept in node_modules/.cache/test-typescript (which `npm ci` empties), keyed
 * by the file's path and text, the esbuild version and its options, so a process compiles only what changed. The
 * sources need nothing more than this: they are written for Node's own type stripping
 * (`erasableSyntaxOnly`, `verbatimModuleSyntax`), which a Node 22.18+ uses instead of these hooks.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/test-typescript/', import.meta.url));
const esbuildVersion = JSON.parse(
  readFileSync(new URL('../../node_modules/esbuild/package.json', import.meta.url), 'utf8'),
).version;
/** esbuild's options, part of the cache key: changing them compiles every file again. */
const TRANSFORM = { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline' };
let esbuild;

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, 'utf8');
  const key = createHash('sha256')
    .update(`${esbuildVersion}\0${JSON.stringify(TRANSFORM)}\0${path}\0`)
    .update(source)
    .digest('hex');
  const cached = `${cacheDir}${key}.js`;
  try {
    return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  } catch {
    // Not compiled yet (or the cache was emptied): compile it now.
  }
  esbuild ??= await import('esbuild');
  const { code } = await esbuild.transform(source, { ...TRANSFORM, sourcefile: path });
  // Whole or not at all: test processes running side by side may compile the same file at once.
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `${cached}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, cached);
  return { format: 'module', source: code, shortCircuit: true };
}
