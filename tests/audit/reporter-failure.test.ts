/** A reporter that throws must end the run with an error, not leave it (and the local stack) hanging. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runNewman } from '../../contract-runner/newman-run.ts';

describe('a reporter that throws while rendering', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reporter-failure-'));
    await writeFile(join(dir, 'broken.hbs'), '{{#each}}an unclosed block\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('rejects the run with the reporter error instead of never calling back', {
    timeout: 60_000,
  }, async () => {
    const run = runNewman({
      collection: {
        info: {
          name: 'empty',
          schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
        },
        item: [],
      },
      environment: { values: [] },
      iterations: 1,
      timeoutRequestMs: 1_000,
      runFolder: dir,
      reporters: ['htmlextra'],
      title: 'broken template',
      secretKeys: [],
      redact: (text) => text,
      htmlextra: { template: join(dir, 'broken.hbs') },
    });
    await assert.rejects(run, /Parse error/);
  });
});
