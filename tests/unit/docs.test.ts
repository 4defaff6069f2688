/**
 * The docs and the code's comments cite only what exists: every repository path they name (a file with
 * an extension, under a folder) is a tracked file or folder, or a file the project generates (gitignored),
 * and none cites a numbered issue (the word issue, or a hash sign, before a number): the tracker is not part of the repository, so such
 * a reference means nothing to whoever clones it. Whether the docs' generated parts are current is
 * `npm run docs -- --check` (run by .ci/run after the tests), not a test here: adding a route changes
 * the generated counts, and no test should fail for a table not yet rewritten.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';

const repoRoot = new URL('../../', import.meta.url).pathname;

const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path !== '' && existsSync(join(repoRoot, path)));
const trackedSet = new Set(tracked);
/** The repository's own top-level folders: a path starting with one of these is a citation of ours. */
const TOP = new Set(tracked.filter((path) => path.includes('/')).map((path) => path.split('/')[0] ?? ''));
const folders = new Set(
  tracked.flatMap((path) =>
    path
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
  ),
);

/** What a reader reads: the Markdown docs whole, and the comments of the code. */
function texts(): { path: string; text: string }[] {
  const docs = tracked.filter((path) => path.endsWith('.md'));
  const code = tracked.filter((path) => /\.(?:ts|mjs|js)$/.test(path));
  return [
    ...docs.map((path) => ({ path, text: readFileSync(join(repoRoot, path), 'utf8') })),
    ...code.map((path) => ({ path, text: comments(readFileSync(join(repoRoot, path), 'utf8')) })),
  ];
}

/** The comment text of a source file: block comments and line comments (a string holding `//` aside). */
function comments(source: string): string {
  const out: string[] = [];
  let inBlock = false;
  for (const line of source.split('\n')) {
    let rest = line;
    if (inBlock) {
      const end = rest.indexOf('*/');
      out.push(end < 0 ? rest : rest.slice(0, end));
      if (end < 0) continue;
      inBlock = false;
      rest = rest.slice(end + 2);
    }
    const block = rest.search(/\/\*/);
    const lineComment = rest.search(/(?<![:'"`\\])\/\/(?![^'"`]*['"`]\s*[,)\]};])/);
    if (block >= 0 && (lineComment < 0 || block < lineComment)) {
      const end = rest.indexOf('*/', block + 2);
      out.push(end < 0 ? rest.slice(block + 2) : rest.slice(block + 2, end));
      if (end < 0) inBlock = true;
    } else if (lineComment >= 0) {
      out.push(rest.slice(lineComment + 2));
    }
  }
  return out.join('\n');
}

const EXTENSIONS = 'ts|mjs|js|json|md|hbs|yml|yaml|sh|pem|xml|html';
/** A repository path: folders and a file name with an extension, not part of a URL or a package name. */
const PATH = new RegExp(
  `(?<![\\w@/.:~-])((?:\\.{1,2}/)*(?:[\\w.-]+/)+[\\w.-]+\\.(?:${EXTENSIONS}))(?![\\w/])`,
  'g',
);

function ignoredByGit(path: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: repoRoot });
    return true;
  } catch {
    return false;
  }
}

function exists(cited: string, from: string): boolean {
  // A relative path is read from the citing file's folder or, in a usage line, from the repository root.
  const candidates = [normalize(cited), normalize(join(dirname(from), cited))];
  return candidates.some((path) => trackedSet.has(path) || folders.has(path) || ignoredByGit(path));
}

describe('the docs and the comments', () => {
  it('cite no repository path that does not exist', () => {
    const missing: string[] = [];
    for (const { path, text } of texts()) {
      for (const match of text.matchAll(PATH)) {
        const cited = match[1] ?? '';
        // Only our own paths: a path in a dependency (cognito-local's lib/…) names that package's file.
        if (!/^\.\.?\//.test(cited) && !TOP.has(cited.split('/')[0] ?? '')) continue;
        if (!exists(cited, path)) missing.push(`${path}: ${cited}`);
      }
    }
    assert.deepEqual(missing, [], 'cited but not in the repository: fix the path or drop the citation');
  });

  it('cite no numbered issue', () => {
    const cited: string[] = [];
    for (const { path, text } of texts()) {
      for (const match of text.matchAll(
        /\b(?:issues?|PR|pull request)\s*#?\d+\b|(?<![\w&/])#\d+(?![\w-])/gi,
      )) {
        cited.push(`${path}: ${match[0]}`);
      }
    }
    assert.deepEqual(cited, [], 'say what the issue was instead of citing its number');
  });
});
