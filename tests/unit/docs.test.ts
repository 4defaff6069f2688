/**
 * The generated parts of README.md and docs/attack-matrix.md (the attack matrix, its sources and the
 * mutation proof's tables) are what docs/build.ts makes from the catalogue and the library table now.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = new URL('../../', import.meta.url).pathname;

describe('the generated docs', () => {
  it('are current (run `node common/run-ts.mjs docs/build.ts`)', { timeout: 120_000 }, async () => {
    const { stderr, code } = await run(process.execPath, ['common/run-ts.mjs', 'docs/build.ts', '--check'], {
      cwd: repoRoot,
    }).then(
      ({ stderr }) => ({ stderr, code: 0 }),
      (error: { stderr?: string; code?: unknown }) => ({ stderr: String(error.stderr), code: error.code }),
    );
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});
