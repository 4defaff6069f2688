/**
 * security/attacker-key.json and its loader: the committed key is what the forged-token clauses need,
 * every way the file can be subtly wrong is refused with one sentence, and the generator script really
 * regenerates it (node:crypto for the key, openssl for the certificate).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  ATTACKER_KID,
  AttackerKeyError,
  attackerKey,
  attackerKeyPath,
  loadAttackerKey,
  parseAttackerKey,
} from '../../security/attacker-key.ts';

const execFileAsync = promisify(execFile);
/**
 * The command the script's usage gives: `node common/run-ts.mjs security/make-attacker-key.ts`, the
 * launcher every npm script runs (no tsx loader in the child: the compiled build on Node 20).
 */
const MAKE_LAUNCHER = 'common/run-ts.mjs';
const MAKE_SCRIPT = 'security/make-attacker-key.ts';
const committedText = readFileSync(attackerKeyPath, 'utf8');
const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/** A fresh, deep copy of the committed JSON to break in one place. */
function committedDocument(): Record<string, unknown> & {
  privateJwk: Record<string, unknown>;
  jwks: { keys: Record<string, unknown>[] };
  certificate: Record<string, unknown>;
} {
  return JSON.parse(committedText);
}

describe('the committed attacker key', () => {
  const key = attackerKey();

  it('is an RSA-2048 key with kid contract-attacker-1 whose JWKS and certificate carry its public half', () => {
    assert.equal(key.kid, ATTACKER_KID);
    assert.equal(key.privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.deepEqual(key.jwks, { keys: [key.publicJwk] });
    assert.deepEqual(Object.keys(key.publicJwk), ['kty', 'kid', 'alg', 'use', 'n', 'e']);
    assert.equal(key.publicJwk.alg, 'RS256');
    assert.equal(key.publicJwk.use, 'sig');
    const certificate = new X509Certificate(Buffer.from(key.certificateDer, 'base64'));
    assert.equal(certificate.subject, 'CN=contract-attacker');
    assert.equal(certificate.publicKey.export({ format: 'jwk' }).n, key.publicJwk.n);
    assert.equal(new X509Certificate(key.certificatePem).fingerprint256, certificate.fingerprint256);
    const data = Buffer.from('forged');
    assert.ok(
      verify(
        'sha256',
        data,
        createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' }),
        sign('sha256', data, key.privateKey),
      ),
    );
  });

  it('has a certificate valid for decades, so x5c and x5u clauses are never refused for a date', () => {
    assert.ok(
      new Date(key.certificate.validTo).getTime() - Date.now() > 50 * YEAR_MS,
      key.certificate.validTo,
    );
  });

  it('says in the file itself that it is an attacker key, published on purpose', () => {
    assert.match(String(committedDocument().comment), /ATTACKER key, published on purpose/);
  });

  it('is read once: attackerKey() returns the same object every time', () => {
    assert.equal(attackerKey(), key);
  });
});

describe('parseAttackerKey refuses a file that is wrong in one way', () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
  const cases: [string, (document: ReturnType<typeof committedDocument>) => void, RegExp][] = [
    ['a missing comment', (d) => delete d.comment, /the document lacks comment/],
    ['an unexpected member', (d) => (d.extra = 1), /has unexpected extra/],
    ['another kid', (d) => (d.privateJwk.kid = 'pool-kid'), /privateJwk\.kid must be "contract-attacker-1"/],
    [
      'a private member in standard base64',
      (d) => (d.privateJwk.d = `${String(d.privateJwk.d)}+`),
      /privateJwk\.d must be a non-empty base64url string/,
    ],
    ["another key's CRT coefficient", (d) => (d.privateJwk.qi = other.qi), /do not belong to one RSA key/],
    ["another key's private exponent", (d) => (d.privateJwk.d = other.d), /do not belong to one RSA key/],
    [
      'a 1024-bit key',
      (d) => {
        d.privateJwk = { ...small, kid: ATTACKER_KID };
      },
      /1024-bit modulus, not 2048/,
    ],
    [
      'a JWKS key of another key',
      (d) => (d.jwks.keys = [{ ...d.jwks.keys[0], n: other.n }]),
      /not the public half of privateJwk/,
    ],
    ['a JWKS of two keys', (d) => d.jwks.keys.push({ ...d.jwks.keys[0] }), /exactly one key/],
    ['a JWKS key without use', (d) => delete d.jwks.keys[0]?.use, /jwks\.keys\[0\] lacks use/],
    [
      'certificate DER that is not base64',
      (d) => (d.certificate.der = `${String(d.certificate.der)}!`),
      /not padded standard base64/,
    ],
    [
      'certificate DER that is no certificate',
      (d) => (d.certificate.der = 'AAAA'),
      /not an X\.509 certificate/,
    ],
    [
      'a PEM of something else',
      (d) => (d.certificate.pem = String(d.certificate.pem).replace(/\n$/, '')),
      /not the PEM of certificate\.der/,
    ],
  ];
  for (const [what, breakIt, message] of cases) {
    it(`${what}: ${message.source}`, () => {
      const document = committedDocument();
      breakIt(document);
      assert.throws(
        () => parseAttackerKey(document, 'attacker-key.json'),
        (error: unknown) => {
          assert.ok(error instanceof AttackerKeyError, String(error));
          assert.match(error.message, message);
          assert.match(
            error.message,
            /^attacker-key\.json: [^\n]+; regenerate it with `node common\/run-ts\.mjs security\/make-attacker-key\.ts --force`\.$/,
          );
          return true;
        },
      );
    });
  }

  it('an expired certificate (checked at a date after its end)', () => {
    assert.throws(
      () => parseAttackerKey(committedDocument(), 'attacker-key.json', new Date('2200-01-01T00:00:00Z')),
      /the certificate is valid only from .* so an x5c or x5u clause would be refused for its date/,
    );
  });

  it('the certificate of another key', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'attacker-key-test-'));
    try {
      const path = join(directory, 'other.json');
      await execFileAsync(process.execPath, [MAKE_LAUNCHER, MAKE_SCRIPT, '--out', path]);
      const foreign = JSON.parse(readFileSync(path, 'utf8')) as { certificate: unknown };
      const document = committedDocument();
      document.certificate = foreign.certificate as Record<string, unknown>;
      assert.throws(
        () => parseAttackerKey(document, 'attacker-key.json'),
        /not self-signed by privateJwk's key/,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('a file that is not JSON, naming the file', async () => {
    assert.throws(
      () => loadAttackerKey(join(tmpdir(), 'no-such-attacker-key.json')),
      /no-such-attacker-key\.json cannot be read; regenerate/,
    );
    assert.throws(
      () => loadAttackerKey(new URL(import.meta.url).pathname),
      /attacker-key\.test\.ts is not valid JSON; regenerate/,
    );
  });
});

describe('security/make-attacker-key.ts', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'attacker-key-script-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  const run = (...args: string[]) =>
    execFileAsync(process.execPath, [MAKE_LAUNCHER, MAKE_SCRIPT, ...args]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );

  it('writes a new valid key file (mode 0644: published on purpose), refuses to overwrite it without --force', async () => {
    const path = join(directory, 'key.json');
    const first = await run('--out', path);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Wrote a new attacker key \(kid contract-attacker-1\) to .*key\.json\.\n$/);
    assert.equal((await stat(path)).mode & 0o777, 0o644);
    const made = loadAttackerKey(path);
    assert.notEqual(
      made.publicJwk.n,
      attackerKey().publicJwk.n,
      'a new key, not a copy of the committed one',
    );

    const again = await run('--out', path);
    assert.equal(again.code, 2);
    assert.match(
      again.stderr,
      /^[^\n]*key\.json exists and holds the key every forged token is signed with: pass --force to replace it \(then rebuild the collection\)\.\n$/,
    );
    assert.equal(loadAttackerKey(path).publicJwk.n, made.publicJwk.n, 'left as it was');

    const forced = await run('--out', path, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(loadAttackerKey(path).publicJwk.n, made.publicJwk.n);
  });

  it('answers an unknown flag with exit 2 and one sentence', async () => {
    const result = await run('--forse');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Unknown flag --forse \(did you mean --force\?\)[^\n]*\.\n$/);
  });
});
