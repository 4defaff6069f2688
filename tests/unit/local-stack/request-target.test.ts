/**
 * The gateway skips URL parsing for plain targets. That shortcut must never change a path or a query:
 * for every target below, hand-picked and generated, the result equals what `new URL` gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestTarget } from '../../../local-stack/gateway/request-target.ts';

type Parsed = { pathname: string; query: [string, string][] } | 'invalid URL';

function byUrl(target: string): Parsed {
  try {
    const url = new URL(target, 'http://127.0.0.1');
    return { pathname: url.pathname, query: [...url.searchParams] };
  } catch {
    return 'invalid URL';
  }
}

// A target URL parsing rejects (e.g. `//@`) must still be rejected: the gateway answers it with a 502.
function byGateway(target: string): Parsed {
  try {
    const parsed = parseRequestTarget(target);
    return { pathname: parsed.pathname, query: parsed.query ? [...parsed.query] : [] };
  } catch {
    return 'invalid URL';
  }
}

const picked = [
  '/dev/hello',
  '/dev/hello/',
  '/dev//hello',
  '//dev/hello',
  '//127.0.0.1/dev/hello',
  '/dev/./hello',
  '/dev/x/../hello',
  '/dev/%2e/hello',
  '/dev/%2Fhello',
  '/dev\\hello',
  '/dev/hello?',
  '/dev/hello?a=1&a=2&b',
  '/dev/hello?a=%20+b',
  '/dev/hello#fragment',
  '/dev/hél lo',
  '/dev/hello;x',
  '/',
  '/~user/a-b_c',
];

/** A small deterministic generator, so a failure names a reproducible target. */
function* generated(count: number): Generator<string> {
  const alphabet = [...'aZ0-_~//.%2e?#\\ é&=+;@:'];
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < count; i++) {
    let target = '/';
    const length = next() % 12;
    for (let j = 0; j < length; j++) target += alphabet[next() % alphabet.length];
    yield target;
  }
}

describe('parseRequestTarget', () => {
  it('gives the same path and query as URL parsing for hand-picked targets', () => {
    for (const target of picked) assert.deepEqual(byGateway(target), byUrl(target), target);
  });

  it('gives the same path and query as URL parsing for 20,000 generated targets', () => {
    let plain = 0;
    for (const target of generated(20_000)) {
      assert.deepEqual(byGateway(target), byUrl(target), JSON.stringify(target));
      if (byGateway(target) !== 'invalid URL' && parseRequestTarget(target).pathname === target) plain++;
    }
    // The generator must exercise both ways, or the comparison proves nothing about the shortcut.
    assert.ok(plain > 1_000, `only ${plain} targets were plain`);
  });
});
