/**
 * The redactor replaces its forms exactly as one regular expression of them would (alternatives
 * longest first, leftmost match, the scan going on after a match): the expression is the oracle here,
 * over hand-made edge cases and generated texts that put forms, their prefixes and overlapping pieces
 * side by side.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { type JsonObject, signRs256 } from '../../common/jwt.ts';
import { createRedactor, REDACTED, redactedForms } from '../../contract-runner/redaction.ts';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function oracle(secrets: readonly string[]): (text: string) => string {
  const pattern = new RegExp(redactedForms(secrets).map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const jwt = (claims: JsonObject): string => signRs256({ alg: 'RS256', kid: 'k' }, claims, privateKey);

const idToken = jwt({ token_use: 'id', sub: 'a' });
const accessToken = jwt({ token_use: 'access', sub: 'a' });
const secrets = [idToken, accessToken, 'Passw0rd!<&>"=', 'abcdef', 'abcdefgh'];
const redact = createRedactor(secrets);
const expected = oracle(secrets);
const forms = redactedForms(secrets);

describe('the redactor against a regular expression of its forms', () => {
  it('gives the same text in the edge cases', () => {
    const signature = idToken.split('.')[2] ?? '';
    const cases = [
      '',
      'abcde',
      'abcdef',
      'abcdefgh',
      'xabcdefghx abcdefg',
      'abcabcdefgh',
      idToken,
      `${idToken}${idToken}`,
      `Bearer ${idToken}.`,
      `${idToken.slice(0, -1)}`,
      `${idToken.slice(0, 40)}${accessToken}`,
      `junk${signature.slice(0, 43)}junk${signature.slice(-43)}`,
      JSON.stringify({ token: idToken, password: 'Passw0rd!<&>"=' }),
      encodeURIComponent(`${idToken} Passw0rd!<&>"=`),
      'Passw0rd!&lt;&amp;&gt;&quot;&#x3D;',
      'Passw0rd!<&>"',
    ];
    for (const text of cases) assert.equal(redact(text), expected(text), JSON.stringify(text));
    assert.equal(redact(idToken), REDACTED, 'a whole token is one marker');
  });

  it('gives the same text for 2,000 generated texts', () => {
    // Pieces: whole forms, their first and last few characters, single characters and markup.
    const pieces = [
      ...forms,
      ...forms.map((form) => form.slice(0, randomInt(1, form.length))),
      ...forms.map((form) => form.slice(randomInt(1, form.length))),
      'a',
      'e',
      'ey',
      'eyJ',
      '.',
      '"',
      '&',
      '%2B',
      ' ',
      '<td>',
    ];
    for (let n = 0; n < 2_000; n++) {
      let text = '';
      for (let k = randomInt(0, 12); k > 0; k--) text += pieces[randomInt(pieces.length)];
      assert.equal(redact(text), expected(text), JSON.stringify(text));
    }
  });

  it('leaves a text without a secret as it is', () => {
    const text = 'GET /hello 401 {"message":"Unauthorized"} eyJhbGciOi';
    assert.equal(redact(text), text);
    assert.equal(createRedactor([])(text), text);
    assert.equal(
      createRedactor(['short', undefined])('short'),
      'short',
      'secrets under 6 characters are kept',
    );
  });
});
