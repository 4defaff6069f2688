/**
 * The sandboxCrypto script (collections/sandbox-bundle.ts) in bare `newman run` (the CLI, in its own
 * process, no runner of ours around it): a one-request collection whose pre-request script inlines it, forges attacker tokens with every
 * RSA algorithm and an HS256 token keyed with the attacker's SPKI PEM, and sends one of them to a
 * loopback server. node:crypto then verifies what Newman exported and what the server received.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { constants, createHmac, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sandboxCryptoScript } from '../../collections/sandbox-bundle.ts';
import { attackerKey } from '../../security/attacker-key.ts';

const execFileAsync = promisify(execFile);
const newmanBin = join(
  dirname(createRequire(import.meta.url).resolve('newman/package.json')),
  'bin',
  'newman.js',
);
const source = sandboxCryptoScript();
const attacker = attackerKey();
const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
const CLAUSE = "sandboxCrypto forged every token in Newman's sandbox";

/** The pre-request script: the sandboxCrypto script, then one forging step. */
function forgingScript(): string[] {
  const script = `
const attacker = ${JSON.stringify({ privateJwk: attacker.privateJwk, publicJwk: attacker.publicJwk })};
const payload = sandboxCrypto.base64url(JSON.stringify({ sub: 'attacker', 'cognito:username': 'admin' }));
const tokens = {};
const started = Date.now();
for (const alg of ${JSON.stringify(RSA_ALGS)}) {
  const input = sandboxCrypto.base64url(JSON.stringify({ alg, kid: attacker.privateJwk.kid })) + '.' + payload;
  tokens[alg] = input + '.' + sandboxCrypto.rsaSign(alg, attacker.privateJwk, input);
}
const signingMs = (Date.now() - started) / ${RSA_ALGS.length};
const hsInput = sandboxCrypto.base64url(JSON.stringify({ alg: 'HS256', kid: attacker.privateJwk.kid })) + '.' + payload;
tokens.HS256 = hsInput + '.' + sandboxCrypto.hmac('HS256', sandboxCrypto.publicKeyPem(attacker.publicJwk, 'spki', true), hsInput);
pm.test(${JSON.stringify(CLAUSE)}, () => {
  for (const alg of Object.keys(tokens)) pm.expect(tokens[alg].split('.'), alg).to.have.lengthOf(3);
  pm.expect(Object.keys(tokens)).to.have.lengthOf(${RSA_ALGS.length + 1});
});
pm.environment.set('forged_tokens', JSON.stringify(tokens));
pm.environment.set('signing_ms', String(signingMs));
pm.variables.set('forged_token', tokens.PS256);
`;
  return [...source.split('\n'), ...script.split('\n')];
}

/**
 * The other way to share the module: a top-level const of a collection-level script is invisible to
 * request scripts (each script runs in its own scope), so a script may instead evaluate the module's
 * text from a collection variable (about 0.1 ms an evaluation here).
 */
const EVAL_SCRIPT = [
  "const sandboxCrypto = eval(pm.collectionVariables.get('sandbox_crypto_js') + '\\nsandboxCrypto;');",
  `const evalInput = sandboxCrypto.base64url(JSON.stringify({ alg: 'RS256', kid: ${JSON.stringify(attacker.kid)} })) + '.' + sandboxCrypto.base64url('{}');`,
  `pm.environment.set('eval_token', evalInput + '.' + sandboxCrypto.rsaSign('RS256', ${JSON.stringify(attacker.privateJwk)}, evalInput));`,
];

function collection(url: string): object {
  return {
    info: {
      name: 'sandbox-crypto in Newman',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    variable: [{ key: 'sandbox_crypto_js', value: source }],
    item: [
      {
        name: 'A token forged in the pre-request script is sent',
        event: [
          { listen: 'prerequest', script: { type: 'text/javascript', exec: forgingScript() } },
          {
            listen: 'test',
            script: {
              type: 'text/javascript',
              exec: ["pm.test('the server received it', () => pm.expect(pm.response.code).to.equal(200));"],
            },
          },
        ],
        request: { method: 'GET', url, header: [{ key: 'Authorization', value: '{{forged_token}}' }] },
      },
      {
        name: 'A script evaluates the sandboxCrypto script from a collection variable',
        event: [{ listen: 'prerequest', script: { type: 'text/javascript', exec: EVAL_SCRIPT } }],
        request: { method: 'GET', url },
      },
    ],
  };
}

function verifies(alg: string, token: string): boolean {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const saltLength = Number(alg.slice(2)) / 8;
  const key = alg.startsWith('PS')
    ? { key: attacker.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }
    : attacker.publicKey;
  return verify(
    `sha${alg.slice(2)}`,
    Buffer.from(`${header}.${payload}`),
    key,
    Buffer.from(signature, 'base64url'),
  );
}

describe('the sandboxCrypto script under bare newman run', () => {
  let server: Server;
  let directory: string;
  const received: (string | undefined)[] = [];

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sandbox-crypto-newman-'));
    server = createServer((request, response) => {
      received.push(request.headers.authorization);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  it('forges RS*, PS* and HS256 tokens that node:crypto verifies, sends one, and also works evaluated from a variable', async (t) => {
    const { port } = server.address() as AddressInfo;
    const collectionPath = join(directory, 'sandbox-crypto.postman_collection.json');
    const environmentPath = join(directory, 'empty.postman_environment.json');
    const exportPath = join(directory, 'exported.postman_environment.json');
    await writeFile(collectionPath, JSON.stringify(collection(`http://127.0.0.1:${port}/forged`)));
    await writeFile(environmentPath, JSON.stringify({ name: 'empty', values: [] }));

    const { stdout } = await execFileAsync(
      process.execPath,
      [
        newmanBin,
        'run',
        collectionPath,
        '-e',
        environmentPath,
        '--export-environment',
        exportPath,
        '--reporters',
        'cli',
        '--timeout-request',
        '10000',
        '--timeout-script',
        '60000',
        '--timeout',
        '120000',
      ],
      { timeout: 150_000 },
    ); // A failed pm.test or a script error makes newman exit 1, which rejects here.
    assert.ok(stdout.includes(CLAUSE), 'the sandbox assertion ran');

    const exported: unknown = JSON.parse(await readFile(exportPath, 'utf8'));
    assert.ok(
      typeof exported === 'object' &&
        exported !== null &&
        'values' in exported &&
        Array.isArray(exported.values),
    );
    const value = (key: string): string => {
      const entry = (exported.values as unknown[]).find(
        (candidate): candidate is { key: string; value: string } =>
          typeof candidate === 'object' && candidate !== null && 'key' in candidate && candidate.key === key,
      );
      assert.ok(entry !== undefined && typeof entry.value === 'string', `exported ${key}`);
      return entry.value;
    };
    const tokens: unknown = JSON.parse(value('forged_tokens'));
    assert.ok(typeof tokens === 'object' && tokens !== null);
    const token = (alg: string): string => {
      const found = (tokens as Record<string, unknown>)[alg];
      assert.equal(typeof found, 'string', alg);
      return found as string;
    };

    for (const alg of RSA_ALGS) assert.ok(verifies(alg, token(alg)), `${alg} forged in Newman verifies`);
    const [hsHeader, hsPayload, hsSignature] = token('HS256').split('.');
    const pem = attacker.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.equal(
      hsSignature,
      createHmac('sha256', pem).update(`${hsHeader}.${hsPayload}`).digest('base64url'),
    );
    assert.deepEqual(
      received,
      [token('PS256'), undefined],
      'the forged token went out as the Authorization header',
    );
    assert.ok(verifies('RS256', value('eval_token')), 'signed by the module evaluated from a variable');
    t.diagnostic(
      `mean 2048-bit RS/PS signing time in Newman's sandbox: ${Number(value('signing_ms')).toFixed(1)} ms`,
    );
  });
});
