/**
 * requestContext.requestTime is formatted once per second and shared by the requests of that second.
 * Whatever order requests arrive in (also a clock that steps back), each must get its own second's text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestTime } from '../../../local-stack/gateway/proxy-event.ts';

/** Independent of the gateway's formatter: built from toUTCString(), "Fri, 17 Dec 2021 12:39:25 GMT". */
function expected(epochMs: number): string {
  const [, day, month, year, time] = new Date(epochMs).toUTCString().split(' ');
  return `${day}/${month}/${year}:${time} +0000`;
}

describe('requestTime', () => {
  it('formats like API Gateway, e.g. 17/Dec/2021:12:39:25 +0000', () => {
    assert.equal(requestTime(Date.UTC(2021, 11, 17, 12, 39, 25, 999)), '17/Dec/2021:12:39:25 +0000');
    assert.equal(requestTime(Date.UTC(2024, 0, 5, 3, 4, 5)), '05/Jan/2024:03:04:05 +0000');
  });

  it('gives every instant its own second, in any order, across second, day and year boundaries', () => {
    const base = Date.UTC(2025, 11, 31, 23, 59, 58, 500);
    const offsets = [0, 1, 499, 500, 501, 1_499, 1_500, 2_500, -1, -1_000, 86_400_000, 0, 3_000, 2_999];
    for (const offset of offsets) {
      const at = base + offset;
      assert.equal(requestTime(at), expected(at), `at ${new Date(at).toISOString()}`);
    }
  });
});
