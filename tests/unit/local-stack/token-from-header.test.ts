/** Unit tests for reading the token out of the Authorization header (docs/reference.md §1, firm and likely rows only). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenFromHeader } from '../../../local-stack/gateway/authorizer.ts';

describe('tokenFromHeader', () => {
  it('takes a bare JWT as the whole token', () => {
    assert.equal(tokenFromHeader('aaa.bbb.ccc'), 'aaa.bbb.ccc');
  });

  it('strips exactly "Bearer " (capital B, one space) in front of the JWT', () => {
    assert.equal(tokenFromHeader('Bearer aaa.bbb.ccc'), 'aaa.bbb.ccc');
  });

  it('strips the prefix only once', () => {
    assert.equal(tokenFromHeader('Bearer Bearer aaa.bbb.ccc'), 'Bearer aaa.bbb.ccc');
  });

  it('leaves a value that merely contains "Bearer " later on untouched', () => {
    assert.equal(tokenFromHeader('xBearer aaa.bbb.ccc'), 'xBearer aaa.bbb.ccc');
  });
});
