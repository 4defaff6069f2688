/**
 * `node common/run-ts.mjs security/make-attacker-key.ts [--force] [--out PATH] [--debug]`: (re)generates
 * security/attacker-key.json, the attacker key the forged-token clauses sign with (see
 * security/attacker-key.ts for why it is committed). Run it once; the committed file is the source of
 * truth and every run of the contract uses the same key, so a clause's token is the same everywhere.
 *
 * node:crypto makes the key pair (RSA-2048, e = 65537); node 20 cannot create an X.509 certificate, so
 * openssl (on PATH) self-signs one for CN=contract-attacker, valid for 100 years (an expired
 * certificate would get an x5c clause refused for its date instead of for its signer). The result is
 * validated with the loader before it replaces the file, atomically.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseFlags } from '../common/args.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { runCli, UsageError, UserError } from '../common/cli-error.ts';
import {
  ATTACKER_KID,
  ATTACKER_MODULUS_BITS,
  type AttackerKeyDocument,
  type AttackerPrivateJwk,
  attackerKeyPath,
  parseAttackerKey,
} from './attacker-key.ts';

const execFileAsync = promisify(execFile);
const VALIDITY_DAYS = 36_500;

const COMMENT =
  'An ATTACKER key, published on purpose: the contract signs forged tokens with it (attacker-key-pool-kid, ' +
  'jwk-, jku-, x5c-, x5u-injection, ...) and the API must refuse every one of them. It protects nothing; ' +
  'never trust it anywhere. Regenerate with `node common/run-ts.mjs security/make-attacker-key.ts --force`.';

async function selfSignedCertificate(privateKeyPem: string): Promise<Buffer> {
  const directory = await mkdtemp(join(tmpdir(), 'attacker-key-'));
  try {
    const keyPath = join(directory, 'key.pem');
    const certificatePath = join(directory, 'certificate.der');
    await writeFile(keyPath, privateKeyPem, { mode: 0o600 });
    // -config /dev/null: no site openssl.cnf may add extensions or prompt; everything is on this line.
    const args = [
      'req',
      '-x509',
      '-new',
      '-config',
      '/dev/null',
      '-key',
      keyPath,
      '-subj',
      '/CN=contract-attacker',
      '-days',
      String(VALIDITY_DAYS),
      '-sha256',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-outform',
      'DER',
      '-out',
      certificatePath,
    ];
    try {
      await execFileAsync('openssl', args, { timeout: 30_000 });
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? error.code : undefined;
      throw new UserError(
        code === 'ENOENT'
          ? 'openssl is not on PATH, and node cannot create X.509 certificates by itself: install openssl (e.g. apt-get install openssl) and run again.'
          : `openssl could not self-sign the certificate (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`,
        { cause: error },
      );
    }
    return await readFile(certificatePath);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function makeAttackerKeyDocument(): Promise<AttackerKeyDocument> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: ATTACKER_MODULUS_BITS });
  const jwk = privateKey.export({ format: 'jwk' });
  const member = (name: 'n' | 'e' | 'd' | 'p' | 'q' | 'dp' | 'dq' | 'qi'): string => {
    const value = jwk[name];
    if (typeof value !== 'string') throw new Error(`node exported an RSA JWK without "${name}"`);
    return value;
  };
  const privateJwk: AttackerPrivateJwk = {
    kty: 'RSA',
    kid: ATTACKER_KID,
    n: member('n'),
    e: member('e'),
    d: member('d'),
    p: member('p'),
    q: member('q'),
    dp: member('dp'),
    dq: member('dq'),
    qi: member('qi'),
  };
  const der = await selfSignedCertificate(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return {
    comment: COMMENT,
    privateJwk,
    jwks: {
      keys: [{ kty: 'RSA', kid: ATTACKER_KID, alg: 'RS256', use: 'sig', n: privateJwk.n, e: privateJwk.e }],
    },
    certificate: { der: der.toString('base64'), pem: new X509Certificate(der).toString() },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      force: { type: 'boolean' },
      out: { type: 'string' },
      debug: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    { command: 'node common/run-ts.mjs security/make-attacker-key.ts' },
  );
  if (flags.help) {
    process.stdout.write(
      'Usage: node common/run-ts.mjs security/make-attacker-key.ts [--force] [--out PATH] [--debug]\n' +
        '  writes a new attacker key pair and certificate to security/attacker-key.json (or PATH)\n',
    );
    return 0;
  }
  const out = resolve(flags.out ?? attackerKeyPath);
  const exists = await readFile(out).then(
    () => true,
    () => false,
  );
  if (exists && !flags.force) {
    throw new UsageError(
      `${relative(process.cwd(), out) || out} exists and holds the key every forged token is signed with: pass --force to replace it (then rebuild the collection).`,
    );
  }
  const document = await makeAttackerKeyDocument();
  parseAttackerKey(document, 'the new attacker key');
  // Not a secret (0644): the key is published on purpose; see the comment member.
  await writeFileAtomic(out, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o644 });
  process.stdout.write(
    `Wrote a new attacker key (kid ${ATTACKER_KID}) to ${relative(process.cwd(), out) || out}.\n`,
  );
  return 0;
}

await runCli(main);
