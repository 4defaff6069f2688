import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { UnsupportedError } from 'cognito-local/lib/errors.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import { pino } from 'pino';
import { lazyRouter, targetFiles } from '../../../local-stack/cognito/lazy-targets.ts';

const require = createRequire(import.meta.url);
// cognito-local's own table, which its Router uses: the lazy router must route exactly these.
const { Targets } = require('cognito-local/lib/targets/targets.js') as {
  Targets: Record<string, (services: Services) => unknown>;
};

// Calls through the router to real targets: every test that starts the local stack.
describe('the lazily loading Cognito router', () => {
  it("finds a module for every target in cognito-local's table, and that module's export is the table's function", () => {
    const files = targetFiles();
    for (const [name, factory] of Object.entries(Targets)) {
      const file = files.get(name);
      assert.ok(file, `${name} has no module in cognito-local's lib/targets`);
      assert.equal((require(file) as Record<string, unknown>)[name], factory, name);
    }
  });

  it('routes no name outside the table: a module that is not a target is refused as unsupported', async () => {
    const routed = [...targetFiles().keys()].filter((name) => !(name in Targets));
    const services = {} as Services; // no target is reached: each name is refused before its factory runs
    const ctx = { logger: pino({ level: 'silent' }) };
    for (const name of [...routed, 'NoSuchOperation']) {
      await assert.rejects(
        lazyRouter(services)(name)(ctx, {}),
        (error: unknown) =>
          error instanceof UnsupportedError &&
          error.message.includes(`Unsupported x-amz-target header "${name}"`),
      );
    }
  });
});
