/**
 * Bundles a module of collections/sandbox/ with everything it imports into one script for the Postman
 * sandbox (esbuild: iife, minified, ES2020, platform neutral; crypto-js stays the sandbox's own), and
 * digests the sources a bundle is made from, so that a caller can reuse an earlier bundle of the same
 * sources instead of bundling again: esbuild's synchronous API starts its binary for every call, about
 * 200 ms, too much for every `npm run contract`.
 *
 * The digest covers every file the bundle reads: the import graph is walked here from the entry
 * (relative value imports; `import type` is erased and bundles nothing), and every real bundle checks
 * esbuild's own list of inputs against that walk and throws if esbuild read a file the walk missed. A
 * file the walk misses is imported by a file it covers, whose edit changes the digest and forces such a
 * real bundle, so a stale reuse cannot go unnoticed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The library the collection-level scripts call (`contract`). */
export const CONTRACT_ENTRY = new URL('./sandbox/main.ts', import.meta.url);
/** sandboxCrypto alone, for scripts of one's own (docs/sandbox-crypto.md). */
export const SANDBOX_CRYPTO_ENTRY = new URL('./sandbox/sandbox-crypto.ts', import.meta.url);

const BUILD_OPTIONS = {
  bundle: true,
  format: 'iife',
  platform: 'neutral',
  target: 'es2020',
  minify: true,
  // The sandbox's own require('crypto-js') (collections/sandbox/crypto-js.ts): not a dependency here,
  // and a copy would add the whole library to a script the sandbox compiles before every request.
  external: ['crypto-js'],
  // Not the repository's tsconfig.json: its `strict` would make esbuild open the script with
  // "use strict", under which the script's assignment to the global `contract` throws.
  tsconfigRaw: {},
} as const;

/** Besides the sources, what changes esbuild's output: its version and its settings. */
function settingsText(): string {
  const { version } = require('esbuild/package.json') as { version: string };
  return `${version}\n${JSON.stringify(BUILD_OPTIONS)}`;
}

// A statement that imports or re-exports from a module: `import x from '…'`, `import '…'`,
// `export * from '…'`, over several lines if need be. Group 2 is `type ` for type-only statements.
const IMPORT = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?(?:[\w*{}\s,$]*?\bfrom\s*)?['"]([^'"\n]+)['"]/g;

function repositoryPath(url: URL): string {
  return relative(REPO_ROOT, fileURLToPath(url)).split('\\').join('/');
}

/**
 * The repository paths of `entry` and of every file it imports for values, transitively, with their
 * text: what a bundle of `entry` is made from. Packages (not relative specifiers) are left out: the
 * only one the sandbox library names is external.
 */
export function sandboxSources(entry: URL): ReadonlyMap<string, string> {
  const sources = new Map<string, string>();
  const pending = [entry];
  for (let url = pending.pop(); url !== undefined; url = pending.pop()) {
    const path = repositoryPath(url);
    if (sources.has(path)) continue;
    const text = readFileSync(url, 'utf8');
    sources.set(path, text);
    for (const [, , typeOnly, specifier = ''] of text.matchAll(IMPORT)) {
      if (typeOnly === undefined && /^\.\.?\//.test(specifier)) pending.push(new URL(specifier, url));
    }
  }
  return new Map([...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** 16 hex digits of SHA-256 over the sources of `entry`, the bundle settings and `data` (what `define` puts in). */
export function sandboxDigest(entry: URL, data: string): string {
  const hash = createHash('sha256').update(settingsText()).update('\0').update(data);
  for (const [path, text] of sandboxSources(entry)) hash.update('\0').update(path).update('\0').update(text);
  return hash.digest('hex').slice(0, 16);
}

export interface BundleOptions {
  /** The name the script gives the entry's exports. */
  readonly name: string;
  /**
   * `assign`: `name=…;`, an assignment to the sandbox's global scope, which outlives the script (a
   * declaration would be local to it); `const`: `const name=…;`, for a script that evaluates the text.
   */
  readonly binding: 'assign' | 'const';
  /** Free identifiers of the sources and the JSON they stand for; their values are the caller's to digest. */
  readonly define?: Readonly<Record<string, string>>;
}

/** The entry and its imports as one minified statement that binds `options.name` to the entry's exports. */
export function bundleSandbox(entry: URL, options: BundleOptions): string {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    ...BUILD_OPTIONS,
    external: [...BUILD_OPTIONS.external],
    tsconfigRaw: {},
    entryPoints: [fileURLToPath(entry)],
    absWorkingDir: REPO_ROOT,
    globalName: options.name,
    define: { ...options.define },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const covered = sandboxSources(entry);
  // esbuild lists an object `define` as the input `<define:NAME>`: the caller digests those values.
  const missed = Object.keys(result.metafile.inputs).filter(
    (input) => !covered.has(input) && !/^<define:\w+>$/.test(input),
  );
  if (missed.length > 0) {
    throw new Error(
      `collections/sandbox-bundle.ts: the bundle of ${repositoryPath(entry)} read ${missed.join(', ')}, which its digest does not cover: make sandboxSources() find these imports.`,
    );
  }
  const [output] = result.outputFiles;
  const prefix = `var ${options.name}=`;
  const code = output?.text.trim() ?? '';
  if (!code.startsWith(prefix)) {
    throw new Error(`collections/sandbox-bundle.ts: esbuild's iife no longer starts with "${prefix}".`);
  }
  return `${options.binding === 'const' ? 'const ' : ''}${options.name}=${code.slice(prefix.length)}`;
}

/** sandboxCrypto alone: a script that declares the one constant `sandboxCrypto` and does nothing else. */
export function sandboxCryptoScript(): string {
  return bundleSandbox(SANDBOX_CRYPTO_ENTRY, { name: 'sandboxCrypto', binding: 'const' });
}
