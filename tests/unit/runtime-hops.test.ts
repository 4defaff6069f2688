/**
 * The runtime's timer hops (contract-runner/runtime-hops.ts): the rewrite finds its two call sites in
 * the installed postman-runtime (an upgrade that moves them fails here, not silently slower), the
 * runtime Newman then loads is the rewritten one, and a run through it still sends every request in
 * collection order, with each request's scripts around it, and reports each assertion once.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { RUNTIME_VERSION, useImmediateHops } from '../../contract-runner/runtime-hops.ts';

// First, before anything in this process loads Newman.
const state = useImmediateHops();
const fromNewman = createRequire(createRequire(import.meta.url).resolve('newman/package.json'));

describe("postman-runtime's hops", () => {
  it(`are rewritten to setImmediate in the installed runtime (${RUNTIME_VERSION})`, () => {
    assert.deepEqual(state, { applied: true });
    assert.equal(useImmediateHops(), state, 'applied once per process');
    const { pool } = fromNewman('postman-runtime/lib/runner/instruction.js') as {
      pool: (processors: object) => { prototype: { execute: () => void } };
    };
    const Instruction = pool({});
    const Run = fromNewman('postman-runtime/lib/runner/run.js') as { prototype: { immediate: () => void } };
    assert.match(String(Instruction.prototype.execute), /setImmediate\(callback\.bind\(\.\.\.args\)\);/);
    assert.doesNotMatch(String(Instruction.prototype.execute), /setTimeout\(/);
    assert.match(String(Run.prototype.immediate), /setImmediate\(function \(\) \{/);
    assert.doesNotMatch(String(Run.prototype.immediate), /setTimeout\(/);
  });

  it('still run the requests in collection order, each between its own scripts', async () => {
    const seen: string[] = [];
    const server = createServer((request, response) => {
      seen.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'text/plain' }).end(request.url);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const names = Array.from({ length: 40 }, (_, index) => `r${index}`);
      const collection = {
        info: {
          name: 'hops',
          schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
        },
        event: [
          {
            listen: 'prerequest',
            script: { exec: ["pm.variables.set('seen', pm.info.requestName);"] },
          },
          {
            listen: 'test',
            script: {
              exec: [
                "pm.test('answered ' + pm.info.requestName, function () { pm.expect(pm.response.text()).to.equal('/' + pm.info.requestName); });",
              ],
            },
          },
        ],
        item: [
          {
            name: 'first',
            item: names.slice(0, 20).map((name) => ({ name, request: `http://127.0.0.1:${port}/${name}` })),
          },
          {
            name: 'second',
            item: names.slice(20).map((name) => ({ name, request: `http://127.0.0.1:${port}/${name}` })),
          },
        ],
      };
      const { default: newman } = await import('newman');
      // Each request between its own pre-request script and its test, in collection order.
      const events: string[] = [];
      type Args = { item: { name: string }; assertion?: string };
      await new Promise<void>((resolve, reject) => {
        newman
          .run({ collection, reporters: [] }, (error) => (error ? reject(error) : resolve()))
          .on('prerequest', (_error: unknown, args: Args) => events.push(`pre ${args.item.name}`))
          .on('request', (_error: unknown, args: Args) => events.push(`request ${args.item.name}`))
          .on('assertion', (error: unknown, args: Args) =>
            events.push(`${error ? 'failed' : 'passed'} ${args.assertion}`),
          );
      });
      assert.deepEqual(
        events,
        names.flatMap((name) => [`pre ${name}`, `request ${name}`, `passed answered ${name}`]),
      );
      assert.deepEqual(
        seen,
        names.map((name) => `/${name}`),
      );
    } finally {
      server.close();
    }
  });
});
