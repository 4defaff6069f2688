/**
 * The integration timeout's shared queue: every invocation must time out at its own deadline, never
 * early and never late because of the others, a settled one never, and an idle queue must not keep the
 * process alive. Time is faked except in the last test, which looks at the real timer.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { DeadlineQueue } from '../../../local-stack/gateway/deadlines.ts';

/**
 * Fake time, one millisecond at a time: a single large tick would run every due timer with the clock
 * already at the end of the tick, hiding when each one fired.
 */
function advance(ms: number): void {
  for (let i = 0; i < ms; i++) mock.timers.tick(1);
}

describe('DeadlineQueue', () => {
  describe('with fake time', () => {
    beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
    afterEach(() => mock.timers.reset());

    it('expires an entry exactly when its timeout has passed, not a millisecond before', () => {
      const queue = new DeadlineQueue(100);
      let expired = 0;
      queue.add(() => expired++);
      advance(99);
      assert.equal(expired, 0);
      advance(1);
      assert.equal(expired, 1);
      advance(1_000);
      assert.equal(expired, 1, 'an entry expires once');
    });

    it('never expires a settled entry, and says whether settling came first', () => {
      const queue = new DeadlineQueue(100);
      let expired = 0;
      const early = queue.add(() => expired++);
      const late = queue.add(() => expired++);
      advance(50);
      assert.equal(early.settle(), true);
      advance(50);
      assert.equal(expired, 1);
      assert.equal(late.settle(), false);
      assert.equal(early.settle(), false, 'a deadline settles once');
    });

    it('expires each of many entries at its own deadline, whatever settled before it', () => {
      const queue = new DeadlineQueue(100);
      const expiredAt: Record<string, number> = {};
      const add = (name: string) => queue.add(() => (expiredAt[name] = Date.now() - 1_000_000));
      const a = add('a');
      advance(30);
      add('b');
      advance(30);
      add('c');
      a.settle(); // the entry the timer was armed for
      advance(500);
      assert.deepEqual(expiredAt, { b: 130, c: 160 });
    });

    it('keeps its order when entries settle from the middle and the young end', () => {
      const queue = new DeadlineQueue(100);
      const expiredAt: Record<string, number> = {};
      const add = (name: string) => queue.add(() => (expiredAt[name] = Date.now() - 1_000_000));
      add('a');
      advance(10);
      add('b');
      advance(10);
      const c = add('c');
      advance(10);
      const d = add('d');
      c.settle();
      d.settle();
      advance(10);
      add('e'); // joins after b: the list's young end must be b now, not the settled d
      advance(10);
      const f = add('f');
      f.settle();
      advance(300);
      assert.deepEqual(expiredAt, { a: 100, b: 110, e: 140 });
    });

    it('does not delay an older entry when an expiring one adds a new entry', () => {
      const queue = new DeadlineQueue(100);
      const expiredAt: Record<string, number> = {};
      queue.add(() => {
        expiredAt.first = Date.now() - 1_000_000;
        queue.add(() => (expiredAt.third = Date.now() - 1_000_000));
      });
      advance(40);
      queue.add(() => (expiredAt.second = Date.now() - 1_000_000));
      advance(500);
      assert.deepEqual(expiredAt, { first: 100, second: 140, third: 200 });
    });
  });

  it('holds the process open only while an entry is pending', () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const queue = new DeadlineQueue(60_000);
    const before = timers();
    const first = queue.add(() => {});
    assert.equal(timers(), before + 1);
    first.settle();
    assert.equal(timers(), before, 'an idle queue keeps the process alive');
    const second = queue.add(() => {});
    assert.equal(timers(), before + 1, 'a pending entry must hold the process open again');
    second.settle();
    assert.equal(timers(), before);
  });
});
