import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDomainPrefix } from '../../infra/domain-prefix.ts';

test('a lowercase prefix of letters, digits and inner hyphens is accepted as it is', () => {
  assert.equal(checkDomainPrefix('qa-hello-42'), 'qa-hello-42');
});

test('upper case, a leading or trailing hyphen, or other characters are refused before any deploy', () => {
  for (const prefix of ['QA', '-qa', 'qa-', 'qa_hello', '', 'a'.repeat(64)]) {
    assert.throws(() => checkDomainPrefix(prefix), /is invalid/, prefix);
  }
});

test("Cognito's reserved words are refused with the word named", () => {
  assert.throws(() => checkDomainPrefix('my-cognito-test'), /reserved word "cognito"/);
  assert.throws(() => checkDomainPrefix('awsome'), /reserved word "aws"/);
});
