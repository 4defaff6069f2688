/**
 * Issue 8, load on the local gateway: limits and correctness, not speed. A bounded burst of 10,000
 * authorized requests at concurrency 100 (loopback only) must all be answered 200 with no error or
 * timeout, and the process's memory must stay within a stated bound; Newman with 100 iterations must
 * pass. No timing is asserted.
 *
 * Memory bound, measured first on the 2-core CI-sized machine (Node 20, gateway, emulator and autocannon
 * all in this one process): after one 10,000-request burst RSS grew by about 28 MB and heapUsed by about
 * 22 MB (before GC); a second burst added about 6 MB RSS. The bounds below (150 MB RSS, 64 MB heap after
 * GC, and a second burst adding under 64 MB RSS) leave room for noise while still catching a gateway
 * that keeps every request or connection alive.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runContract } from '../../contract-runner/run-contract.ts';
import { type LocalStack, startStack } from '../../local-stack/stack.ts';
import { obtainToken, settingsFromLocalStack } from '../../token-helper/index.ts';
import { scratchRoot } from './support/contract-process.ts';

const MB = 1024 * 1024;
const BURST = { amount: 10_000, connections: 100 } as const;
const BOUND = { rssGrowth: 150 * MB, heapGrowthAfterGc: 64 * MB, secondBurstRssGrowth: 64 * MB } as const;

/** The part of autocannon's result this test reads (the package ships no types). */
interface AutocannonResult {
  readonly requests: { readonly total: number };
  readonly '2xx': number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly resets: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  amount: number;
  timeout: number;
  headers: Record<string, string>;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory(): { rss: number; heap: number } {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

function burst(stack: LocalStack, idToken: string): Promise<AutocannonResult> {
  const url = `${stack.apiUrl}/hello`;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//, 'loopback only');
  return autocannon({ url, ...BURST, timeout: 30, headers: { authorization: idToken } });
}

function assertAllAnswered(result: AutocannonResult): void {
  assert.equal(result.errors, 0, 'no connection errors');
  assert.equal(result.timeouts, 0, 'no timeouts');
  assert.equal(result.non2xx, 0, 'no answer other than 2xx');
  assert.equal(result['2xx'], BURST.amount, 'every request answered 200');
}

describe('a burst of 10,000 authorized requests at concurrency 100 on the local gateway', () => {
  let stack: LocalStack;
  let idToken: string;
  before(async () => {
    stack = await startStack();
    const token = await obtainToken(settingsFromLocalStack(stack), { write: false });
    idToken = token.idToken;
  });
  after(async () => {
    await stack.stop();
  });

  test('every request is answered 200, with no error or timeout, and memory stays within the stated bound', async () => {
    const start = memory();
    const first = await burst(stack, idToken);
    assertAllAnswered(first);
    const afterFirst = memory();
    assert.ok(
      afterFirst.rss - start.rss < BOUND.rssGrowth,
      `RSS grew ${((afterFirst.rss - start.rss) / MB).toFixed(1)} MB (bound ${BOUND.rssGrowth / MB} MB)`,
    );
    assert.ok(
      afterFirst.heap - start.heap < BOUND.heapGrowthAfterGc,
      `heap grew ${((afterFirst.heap - start.heap) / MB).toFixed(1)} MB (bound ${BOUND.heapGrowthAfterGc / MB} MB)`,
    );

    const second = await burst(stack, idToken);
    assertAllAnswered(second);
    const afterSecond = memory();
    assert.ok(
      afterSecond.rss - afterFirst.rss < BOUND.secondBurstRssGrowth,
      `a second burst grew RSS ${((afterSecond.rss - afterFirst.rss) / MB).toFixed(1)} MB: something is kept per request`,
    );
  });
});

describe('Newman with 100 iterations', () => {
  let root: string;
  before(async () => {
    root = await scratchRoot('hardening-load-');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('passes every clause in every iteration', { timeout: 180_000 }, async () => {
    const result = await runContract({ target: 'local', rootDir: root, iterations: 100, reporters: [] });
    assert.equal(result.runError, undefined);
    assert.equal(result.counts.requestErrors, 0);
    assert.equal(result.counts.clauses.failed, 0);
    const perIteration = new Set(result.clauses.map((clause) => clause.name)).size;
    assert.equal(result.clauses.length, perIteration * 100, 'every clause ran in each of the 100 iterations');
    assert.equal(result.passed, true);
  });
});
