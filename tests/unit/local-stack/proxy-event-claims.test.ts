/** Unit tests for how claims reach the Lambda (docs/reference.md §3): every value a string, dates Java-style. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { javaDateString, stringifyClaims } from '../../../local-stack/gateway/proxy-event.ts';

describe('javaDateString', () => {
  it('formats an epoch second like Java Date.toString() in UTC', () => {
    assert.equal(javaDateString(Date.UTC(2021, 11, 17, 12, 39, 25) / 1000), 'Fri Dec 17 12:39:25 UTC 2021');
  });

  it('pads the day of month and the time with zeros', () => {
    assert.equal(javaDateString(Date.UTC(2024, 1, 3, 4, 5, 6) / 1000), 'Sat Feb 03 04:05:06 UTC 2024');
  });

  it('formats the epoch itself', () => {
    assert.equal(javaDateString(0), 'Thu Jan 01 00:00:00 UTC 1970');
  });
});

describe('stringifyClaims', () => {
  const exp = Date.UTC(2021, 11, 17, 13, 39, 25) / 1000;
  const iat = exp - 3600;

  it('turns exp and iat into Java date strings', () => {
    const claims = stringifyClaims({ exp, iat });
    assert.deepEqual(claims, { exp: 'Fri Dec 17 13:39:25 UTC 2021', iat: 'Fri Dec 17 12:39:25 UTC 2021' });
  });

  it('turns booleans into "true" and "false"', () => {
    assert.deepEqual(stringifyClaims({ email_verified: true, phone_number_verified: false }), {
      email_verified: 'true',
      phone_number_verified: 'false',
    });
  });

  it('turns other numbers, auth_time included, into their decimal text', () => {
    assert.deepEqual(stringifyClaims({ auth_time: iat, 'custom:level': 42 }), {
      auth_time: String(iat),
      'custom:level': '42',
    });
  });

  it('keeps strings as they are', () => {
    const claims = { sub: 'abc', token_use: 'id', 'cognito:username': 'alice', aud: 'client' };
    assert.deepEqual(stringifyClaims(claims), claims);
  });

  it('passes a one-element cognito:groups as the bare group name', () => {
    assert.deepEqual(stringifyClaims({ 'cognito:groups': ['admins'] }), { 'cognito:groups': 'admins' });
  });

  it('leaves no value that is not a string, whatever the input', () => {
    const claims = stringifyClaims({ exp, flag: true, n: 1.5, list: ['a', 'b'], nested: { a: 1 }, s: 'x' });
    for (const [name, value] of Object.entries(claims)) assert.equal(typeof value, 'string', name);
  });
});
