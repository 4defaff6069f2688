/**
 * End to end: a red run with --iterations > 1 is red in junit.xml too. A copy of the
 * committed collection gets one extra check, on its first clause, that fails in the first iteration only;
 * Newman's own JUnit reporter keeps the last iteration's result of each assertion, so its file showed
 * `failures="0"` for this run. Every failed assertion of every iteration must be in the file, and its
 * counts must agree with the run's results.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { helloApi } from '../../api/routes.ts';
import { renderCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { type ContractResult, runContract } from '../../contract-runner/run-contract.ts';

const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const ITERATIONS = 3;
const FIXTURE_CHECK = 'Fails in the first iteration only (a fixture of this test)';

interface Item {
  name: string;
  item?: Item[];
  request?: { header?: { key?: string; value?: string }[] };
  event?: { listen: string; script: { type?: string; exec: string[] } }[];
}

/** Clause kinds the collection decides without sending a request (collections/clause.ts). */
const UNSENT = new Set(['environment', 'coverage']);

/** The first request the run sends: the fixture check needs a clause that really runs. */
function firstSentRequest(items: Item[]): Item | undefined {
  for (const item of items) {
    if (item.item) {
      const found = firstSentRequest(item.item);
      if (found) return found;
      continue;
    }
    if (!item.request) continue;
    const meta = item.request.header?.find((header) => header.key === 'X-Contract-Clause')?.value;
    const kind = meta === undefined ? undefined : (JSON.parse(meta) as { kind?: unknown }).kind;
    if (typeof kind === 'string' && UNSENT.has(kind)) continue;
    return item;
  }
  return undefined;
}

describe(`a run of ${ITERATIONS} iterations that fails in the first one only`, () => {
  let dir: string;
  let result: ContractResult;
  let junit: string;
  let target: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'junit-iterations-'));
    // The JUnit file's handling of iterations is the subject, not the clauses: every kind of clause but
    // the attacks and request rows (169 of the 191, each written into the file as the refusals kept here
    // are) makes the same file, at an eighth of Newman's time.
    const kept = generateClauses(helloApi).filter((clause) => !['attack', 'request'].includes(clause.kind));
    assert.ok(new Set(kept.map((clause) => clause.kind)).size >= 6, 'clauses of several kinds');
    const collection = JSON.parse(renderCollection(helloApi, kept)) as { item: Item[] };
    const request = firstSentRequest(collection.item);
    assert.ok(request, 'the collection has no request it sends');
    target = request.name;
    // An item-level test script runs besides the collection's own checks, wherever those live.
    const check = `pm.test(${JSON.stringify(FIXTURE_CHECK)}, () => pm.expect(pm.info.iteration, 'iteration').to.not.equal(0));`;
    request.event = [
      ...(request.event ?? []),
      { listen: 'test', script: { type: 'text/javascript', exec: [check] } },
    ];
    const collectionPath = join(dir, 'fails-once.postman_collection.json');
    await writeFile(collectionPath, JSON.stringify(collection));
    result = await runContract({
      target: 'local',
      rootDir,
      collectionPath,
      iterations: ITERATIONS,
      reportsDir: join(dir, 'reports'),
      reporters: ['junit'],
    });
    assert.ok(result.files.junit, 'no junit.xml written');
    junit = await readFile(result.files.junit, 'utf8');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is a failed run: exactly the fixture check failed, once', () => {
    assert.equal(result.passed, false);
    const failed = result.clauses.flatMap((c) =>
      c.assertions.filter((a) => a.outcome === 'failed').map((a) => [c.name, c.iteration, a.name]),
    );
    assert.deepEqual(failed, [[target, 0, FIXTURE_CHECK]]);
  });

  it('has the failure in junit.xml, in the suite of the first iteration', () => {
    const root = /<testsuites\b[^>]*>/.exec(junit)?.[0] ?? '';
    assert.match(root, /\sfailures="1"/, root);
    const suite = junit.slice(junit.indexOf(`/ ${target} (iteration 1)"`));
    const failure = new RegExp(
      `<testcase name="${FIXTURE_CHECK.replace(/[()]/g, '\\$&')}"[^>]*>\\s*<failure type="AssertionFailure" message="iteration: expected \\+?0 to not equal \\+?0"`,
    );
    assert.match(suite.slice(0, suite.indexOf('</testsuite>')), failure);
  });

  it('has one suite per clause and iteration, and counts that agree with the run', () => {
    const suites = junit.match(/<testsuite\b/g)?.length ?? 0;
    assert.equal(suites, 1 + result.counts.clauses.total, 'the Run suite and one per clause and iteration');
    assert.equal(result.counts.clauses.total % ITERATIONS, 0);
    const root = /<testsuites\b[^>]*>/.exec(junit)?.[0] ?? '';
    const attribute = (name: string) => Number(new RegExp(`\\s${name}="(\\d+)"`).exec(root)?.[1]);
    // The Run suite's two checks, one testcase per assertion, one per request that got no response.
    assert.equal(attribute('tests'), 2 + result.counts.assertions.total + result.counts.requestErrors);
    assert.equal(attribute('failures'), result.counts.assertions.failed);
    assert.equal(attribute('skipped'), result.counts.assertions.skipped);
    assert.equal(attribute('errors'), result.counts.requestErrors);
    assert.match(junit, /<property name="verdict" value="FAILED"\/>/);
  });
});
