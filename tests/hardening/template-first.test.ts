/**
 * `npm run contract` on the local target checks the Postman environment template before it starts the
 * embedded stack: a broken or missing template is refused in its one sentence with nothing started
 * (it used to cost a stack start and a sign-in first). The run is composed in-process with the
 * product's own parts, the stack's start counted.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type ContractParts,
  composeContractRun,
  DEFAULT_CONTRACT_PARTS,
} from '../../contract-runner/run-contract.ts';

describe('the environment template of the local target', () => {
  it('is refused, when missing, before the stack starts', async () => {
    const root = await mkdtemp(join(tmpdir(), 'template-first-'));
    let starts = 0;
    const parts: ContractParts = {
      ...DEFAULT_CONTRACT_PARTS,
      startStack: (options) => {
        starts += 1;
        return DEFAULT_CONTRACT_PARTS.startStack(options);
      },
    };
    try {
      await assert.rejects(
        composeContractRun({ target: 'local', rootDir: root, reporters: [] }, parts),
        /^SignInError: The Postman environment template .*local\.postman_environment\.json is missing/,
      );
      assert.equal(starts, 0, 'the stack was started before the template was read');
      assert.deepEqual(await readdir(root), [], 'nothing written');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
