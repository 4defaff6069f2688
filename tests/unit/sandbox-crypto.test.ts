/**
 * collections/sandbox/sandbox-crypto.ts, bundled alone into the script that declares `sandboxCrypto`
 * (collections/sandbox-bundle.ts), run where collection scripts run: inside the real postman-sandbox
 * that Newman loads, with Buffer, atob and btoa shadowed so nothing can lean on them (the Postman app's
 * sandbox is not Node's). Every result is checked against node:crypto: signatures verify, PKCS#1 v1.5
 * signatures are node's byte for byte, HMACs and digests equal node's, PEMs equal node's export.
 */
import assert from 'node:assert/strict';
import {
  constants,
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import {
  SANDBOX_CRYPTO_ENTRY,
  sandboxCryptoScript,
  sandboxSources,
} from '../../collections/sandbox-bundle.ts';
import { attackerKey } from '../../security/attacker-key.ts';
import {
  openPostmanSandbox,
  type PostmanSandbox,
  postmanSandboxVersion,
  runAfterScript,
} from '../support/postman-sandbox.ts';

const source = sandboxCryptoScript();

let sandbox: PostmanSandbox;
before(async () => {
  sandbox = await openPostmanSandbox();
});
after(() => sandbox.dispose());

/** Runs `body` in the sandbox after the sandboxCrypto script (tests/support/postman-sandbox.ts). */
function inSandbox(body: string, input: unknown = null): Promise<unknown> {
  return runAfterScript(sandbox, source, body, input);
}

function strings(value: unknown, what: string): string[] {
  assert.ok(
    Array.isArray(value) && value.every((item) => typeof item === 'string'),
    `${what}: not a string list`,
  );
  return value as string[];
}

const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
type RsaAlg = (typeof RSA_ALGS)[number];
const hashOf = (alg: string): string => `sha${alg.slice(2)}`;
const hashLength = (alg: string): number => Number(alg.slice(2)) / 8;

function verifies(
  alg: RsaAlg,
  key: KeyObject,
  data: Buffer,
  signature: string,
  saltLength = hashLength(alg),
): boolean {
  const verifyKey = alg.startsWith('PS')
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }
    : key;
  return verify(hashOf(alg), data, verifyKey, Buffer.from(signature, 'base64url'));
}

/**
 * The key pairs the rsaSign tests sign with, generated once for the file (RSA key generation is most
 * of its CPU): the HMAC and public-key encoding tests use them too. 1537 bits: a modulus of 8k + 1
 * bits, where the PSS encoded message is one byte shorter than the signature (RFC 8017 §8.1.1:
 * emLen = ceil((modBits - 1) / 8)).
 */
const signingKeys = [1024, 1537, 2048, 3072].map((modulusLength) => {
  const pair = generateKeyPairSync('rsa', { modulusLength });
  const bits = pair.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  return { bits, ...pair, jwk: pair.privateKey.export({ format: 'jwk' }) };
});

describe(`the sandboxCrypto script (postman-sandbox ${postmanSandboxVersion})`, () => {
  const file = ts.createSourceFile(
    'sandbox-crypto.js',
    source,
    ts.ScriptTarget.ES2022,
    true,
    ts.ScriptKind.JS,
  );

  it('declares exactly one top-level name, the constant sandboxCrypto, and has no other statement', () => {
    assert.equal(file.statements.length, 1, 'one top-level statement');
    const [statement] = file.statements;
    assert.ok(statement !== undefined && ts.isVariableStatement(statement), 'a variable statement');
    assert.ok(statement.declarationList.flags & ts.NodeFlags.Const, 'declared const');
    const names = statement.declarationList.declarations.map((declaration) => declaration.name.getText(file));
    assert.deepEqual(names, ['sandboxCrypto']);
  });

  it('writes no BigInt literal, which would be a syntax error in a sandbox without BigInt', () => {
    const literals: string[] = [];
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.BigIntLiteral) literals.push(node.getText(file));
      ts.forEachChild(node, visit);
    };
    visit(file);
    assert.deepEqual(literals, []);
  });

  // In the TypeScript it is bundled from: the script itself is minified, where a local may be renamed
  // to any short name (`pm` included).
  for (const [path, text] of sandboxSources(SANDBOX_CRYPTO_ENTRY)) {
    it(`${path} names no global the Postman app may lack, and never logs or touches pm`, () => {
      const sourceFile = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
      const used = new Set<string>();
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node)) used.add(node.text);
        ts.forEachChild(node, visit);
      };
      visit(sourceFile);
      const forbidden = [
        'Buffer',
        'TextEncoder',
        'TextDecoder',
        'atob',
        'btoa',
        'crypto',
        'globalThis',
        'window',
      ];
      assert.deepEqual(
        forbidden.filter((name) => used.has(name)),
        [],
      );
      for (const name of ['console', 'pm', 'postman', 'setTimeout', 'eval']) assert.ok(!used.has(name), name);
    });
  }

  it('reports what the sandbox offers: BigInt and crypto-js, and no TextEncoder', async (t) => {
    const found = await inSandbox(
      `return [typeof BigInt, typeof require('crypto-js').SHA512, typeof TextEncoder, typeof TextDecoder,
        Object.keys(sandboxCrypto).join(' ')];`,
    );
    const [bigInt, cryptoJs, textEncoder, textDecoder, api] = strings(found, 'sandbox probe');
    assert.equal(bigInt, 'function');
    assert.equal(cryptoJs, 'function');
    t.diagnostic(
      `postman-sandbox ${postmanSandboxVersion}: TextEncoder ${textEncoder}, TextDecoder ${textDecoder}`,
    );
    assert.equal(
      api,
      // The module's exports, which esbuild lists in alphabetical order.
      'base64 base64url bytes concat digest fromBase64 fromBase64url fromHex fromUtf8 hex hmac pem publicKeyDer publicKeyPem rsaSign sign utf8',
    );
  });
});

describe('sandboxCrypto bytes and encodings', () => {
  it('base64url and base64 equal Buffer encodings and round-trip on random bytes of every tail length', async () => {
    const samples = [
      ...Array.from({ length: 68 }, (_, n) => randomBytes(n)),
      randomBytes(1000),
      randomBytes(4099),
    ];
    const found = strings(
      await inSandbox(
        `return input.flatMap((h) => { const b = sandboxCrypto.fromHex(h);
          return [sandboxCrypto.base64url(b), sandboxCrypto.base64(b), sandboxCrypto.base64(b, { pad: false }),
            sandboxCrypto.hex(sandboxCrypto.fromBase64url(sandboxCrypto.base64url(b))),
            sandboxCrypto.hex(sandboxCrypto.fromBase64(sandboxCrypto.base64(b))),
            sandboxCrypto.hex(sandboxCrypto.fromBase64(sandboxCrypto.base64(b, { pad: false })))]; });`,
        samples.map((sample) => sample.toString('hex')),
      ),
      'encodings',
    );
    samples.forEach((sample, i) => {
      const [url, padded, unpadded, back1, back2, back3] = found.slice(i * 6, i * 6 + 6);
      assert.equal(url, sample.toString('base64url'), `base64url of ${sample.length} bytes`);
      assert.equal(padded, sample.toString('base64'), `base64 of ${sample.length} bytes`);
      assert.equal(
        unpadded,
        sample.toString('base64').replace(/=+$/, ''),
        `unpadded base64 of ${sample.length}`,
      );
      for (const back of [back1, back2, back3])
        assert.equal(back, sample.toString('hex'), `round trip ${sample.length}`);
    });
  });

  it('refuses non-canonical, padded, wrong-alphabet and impossible-length base64 with a sentence', async () => {
    const bad = {
      fromBase64url: ['QQ==', 'QQ=', 'a+b/', 'QR', 'Q', 'QQ Q', 'QUJ\n'],
      fromBase64: ['QQ=', 'Q===', 'QQ==QQ==', '-_-_', 'QR==', 'QUJDR'],
    };
    const found = strings(
      await inSandbox(
        `const out = [];
        for (const name of Object.keys(input)) for (const text of input[name]) {
          try { sandboxCrypto[name](text); out.push('accepted ' + name + ' ' + JSON.stringify(text)); }
          catch (e) { out.push(e.name + ': ' + e.message); } }
        return out;`,
        bad,
      ),
      'refusals',
    );
    assert.equal(found.length, bad.fromBase64url.length + bad.fromBase64.length);
    for (const message of found) {
      assert.match(message, /^TypeError: sandboxCrypto\.fromBase64(url)?: [^\n]+\.$/);
    }
    assert.match(found[3] ?? '', /non-zero unused bits/);
  });

  it('utf8 equals Buffer for 1- to 4-byte characters, fromUtf8 inverts it, and both refuse what is not UTF-8', async () => {
    const text = 'ascii é ß € 日本 𝄞 😀 \u0000 \u07ff \uffff \u{10ffff}';
    const invalid = [
      [0xff, 0xfe, 0xfd],
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xe2, 0x82],
      [0xf4, 0x90, 0x80, 0x80],
      [0x80],
    ];
    const found = strings(
      await inSandbox(
        `const out = [sandboxCrypto.hex(sandboxCrypto.utf8(input.text)),
          String(sandboxCrypto.fromUtf8(sandboxCrypto.utf8(input.text)) === input.text),
          sandboxCrypto.base64url(sandboxCrypto.bytes([0xff, 0xfe, 0xfd]))];
        for (const b of input.invalid) {
          try { sandboxCrypto.fromUtf8(sandboxCrypto.bytes(b)); out.push('accepted ' + b); } catch (e) { out.push(e.message); } }
        for (const t of ['a\\ud800', '\\udc00b', '\\ud800\\ud800']) {
          try { sandboxCrypto.utf8(t); out.push('accepted lone surrogate'); } catch (e) { out.push(e.message); } }
        return out;`,
        { text, invalid },
      ),
      'utf8',
    );
    const [encoded, roundTrip, invalidPart, ...refusals] = found;
    assert.equal(encoded, Buffer.from(text, 'utf8').toString('hex'));
    assert.equal(roundTrip, 'true');
    // The header-invalid-utf8 / payload-invalid-utf8 rows' part.
    assert.equal(invalidPart, Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url'));
    assert.equal(refusals.length, invalid.length + 3);
    for (const message of refusals) assert.match(message, /^sandboxCrypto\.(fromUtf8|utf8): /);
  });

  it('refuses bad arguments with one sentence naming the function, and never echoes a long string', async () => {
    const tokenLike = `${'eyJraWQiOiJzZWNyZXQtcGFydCJ9'.repeat(3)}%`;
    const found = strings(
      await inSandbox(
        `const calls = [
          () => sandboxCrypto.hmac('HS999', 'k', 'x'),
          () => sandboxCrypto.bytes([256]),
          () => sandboxCrypto.base64url(123),
          () => sandboxCrypto.base64(new Uint8Array(1), { padding: true }),
          () => sandboxCrypto.publicKeyPem({ kty: 'RSA', n: 'AQAB', e: 'AQAB' }, 'spki'),
          () => sandboxCrypto.publicKeyPem({ kty: 'EC', n: 'AQAB', e: 'AQAB' }, 'spki', true),
          () => sandboxCrypto.publicKeyPem({ kty: 'RSA', n: 'AQ+B', e: 'AQAB' }, 'pkcs1', true),
          () => sandboxCrypto.digest('sha256', 'x'),
          () => sandboxCrypto.sign('none', '', 'x'),
          () => sandboxCrypto.concat('a', 1),
          () => sandboxCrypto.fromBase64url(input),
        ];
        return calls.map((call) => { try { call(); return 'accepted'; } catch (e) { return e.name + ': ' + e.message; } });`,
        tokenLike,
      ),
      'argument errors',
    );
    for (const message of found) {
      assert.match(message, /^TypeError: sandboxCrypto\.\w+: [^\n]+\.$/);
      assert.ok(!message.includes('eyJraWQi'), `no token text in: ${message}`);
    }
    assert.equal(
      found[0],
      'TypeError: sandboxCrypto.hmac: alg must be one of HS256, HS384, HS512, got the string "HS999".',
    );
    assert.match(found[10] ?? '', /a string of 85 characters/);
  });
});

describe('sandboxCrypto digest and hmac', () => {
  it('digest equals node for SHA-256, SHA-384 and SHA-512 across block boundaries', async () => {
    const lengths = [0, 1, 3, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000];
    const samples = lengths.map((length) => randomBytes(length).toString('hex'));
    const found = strings(
      await inSandbox(
        `return input.flatMap((h) => ['SHA-256', 'SHA-384', 'SHA-512'].map((alg) =>
          sandboxCrypto.hex(sandboxCrypto.digest(alg, sandboxCrypto.fromHex(h)))));`,
        samples,
      ),
      'digests',
    );
    samples.forEach((sample, i) => {
      ['sha256', 'sha384', 'sha512'].forEach((alg, k) => {
        const expected = createHash(alg).update(Buffer.from(sample, 'hex')).digest('hex');
        assert.equal(found[i * 3 + k], expected, `${alg} of ${sample.length / 2} bytes`);
      });
    });
  });

  it('hmac equals createHmac for HS256, HS384, HS512 with empty, short, PEM-sized, non-ASCII and byte keys', async () => {
    const pemKey = signingKeys
      .find((key) => key.bits === 2048)
      ?.publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    assert.ok(pemKey !== undefined);
    const textKeys = ['', 'secret', 'your-256-bit-secret', '1', pemKey, 'ключ-€-𝄞'];
    const byteKey = randomBytes(300);
    const inputs = ['a.b', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0', 'h€llo.wörld', 'A'.repeat(33_000)];
    const found = strings(
      await inSandbox(
        `const keys = input.textKeys.concat([sandboxCrypto.fromHex(input.byteKey)]);
        const out = [];
        for (const alg of ['HS256', 'HS384', 'HS512']) for (const key of keys) for (const data of input.inputs)
          out.push(sandboxCrypto.hmac(alg, key, data), sandboxCrypto.sign(alg, key, data));
        return out;`,
        { textKeys, byteKey: byteKey.toString('hex'), inputs },
      ),
      'hmacs',
    );
    const keys: (string | Buffer)[] = [...textKeys, byteKey];
    let i = 0;
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      for (const key of keys) {
        for (const data of inputs) {
          const expected = createHmac(hashOf(alg), key).update(data, 'utf8').digest('base64url');
          assert.equal(found[i++], expected, `${alg} hmac with a key of ${key.length}`);
          assert.equal(found[i++], expected, `${alg} sign with a key of ${key.length}`);
        }
      }
    }
    assert.equal(i, found.length);
  });
});

describe('sandboxCrypto rsaSign', () => {
  const keys = signingKeys;
  const binary = randomBytes(100);
  const messages = ['hello.world', 'eyJ€.ünïcödé', binary.toString('hex')];
  const dataOf = (m: number): Buffer => (m === 2 ? binary : Buffer.from(messages[m] ?? '', 'utf8'));
  /** PSS needs 2 * hash length + 2 bytes of encoded message: PS512 does not fit a 1024-bit key. */
  const fits = (bits: number, alg: RsaAlg): boolean =>
    !alg.startsWith('PS') || Math.ceil((bits - 1) / 8) >= 2 * hashLength(alg) + 2;

  it('covers a modulus of 8k + 1 bits', () => {
    assert.ok(
      keys.some((key) => key.bits % 8 === 1),
      `key sizes ${keys.map((key) => key.bits).join(', ')}`,
    );
  });

  it("signs every RS and PS algorithm so node:crypto verifies it, with RS* byte for byte node's, for 1024 to 3072 bits", async () => {
    const found = strings(
      await inSandbox(
        `const out = [];
        for (const key of input.keys) for (const alg of input.algs) input.messages.forEach((m, i) => {
          const data = i === 2 ? sandboxCrypto.fromHex(m) : m;
          try { out.push(sandboxCrypto.rsaSign(alg, key, data)); } catch (e) { out.push('error: ' + e.message); } });
        return out;`,
        { keys: keys.map((key) => key.jwk), algs: RSA_ALGS, messages },
      ),
      'signatures',
    );
    let i = 0;
    let checked = 0;
    for (const key of keys) {
      for (const alg of RSA_ALGS) {
        for (let m = 0; m < messages.length; m++) {
          const signature = found[i++] ?? '';
          const what = `${alg} with ${key.bits} bits, message ${m}`;
          if (!fits(key.bits, alg)) {
            assert.match(
              signature,
              /^error: sandboxCrypto\.rsaSign: the modulus is too short for SHA-512 PSS/,
              what,
            );
            continue;
          }
          assert.equal(
            Buffer.from(signature, 'base64url').length,
            Math.ceil(key.bits / 8),
            `${what}: length`,
          );
          assert.ok(verifies(alg, key.publicKey, dataOf(m), signature), `${what}: verifies`);
          if (alg.startsWith('RS')) {
            assert.equal(signature, sign(hashOf(alg), dataOf(m), key.privateKey).toString('base64url'), what);
          } else {
            // saltLength is the hash length, not merely some length: a verifier expecting one less refuses.
            assert.ok(
              !verifies(alg, key.publicKey, dataOf(m), signature, hashLength(alg) - 1),
              `${what}: salt`,
            );
          }
          checked++;
        }
      }
    }
    assert.equal(checked, keys.length * RSA_ALGS.length * messages.length - messages.length);
  });

  it('gives PSS a deterministic default salt, and any salt of hash length verifies', async () => {
    const [key] = keys.filter((candidate) => candidate.bits === 2048);
    assert.ok(key !== undefined);
    const found = strings(
      await inSandbox(
        `const a = new Uint8Array(32).fill(1), b = new Uint8Array(32).fill(2);
        const out = [sandboxCrypto.rsaSign('PS256', input, 'm'), sandboxCrypto.rsaSign('PS256', input, 'm'),
          sandboxCrypto.rsaSign('PS256', input, 'm', { salt: a }), sandboxCrypto.rsaSign('PS256', input, 'm', { salt: b })];
        for (const options of [{ salt: new Uint8Array(31) }, { salt: 'x' }, { nonce: 1 }]) {
          try { sandboxCrypto.rsaSign('PS256', input, 'm', options); out.push('accepted'); } catch (e) { out.push(e.message); } }
        try { sandboxCrypto.rsaSign('RS256', input, 'm', { salt: a }); out.push('accepted'); } catch (e) { out.push(e.message); }
        return out;`,
        key.jwk,
      ),
      'pss salts',
    );
    const [first, again, withA, withB, ...refusals] = found;
    assert.equal(first, again, 'same input, same signature');
    assert.notEqual(withA, withB);
    assert.notEqual(first, withA);
    for (const signature of [first, withA, withB]) {
      assert.ok(verifies('PS256', key.publicKey, Buffer.from('m'), signature ?? ''));
    }
    assert.equal(refusals.length, 4);
    for (const message of refusals) assert.match(message, /^sandboxCrypto\.rsaSign: options/);
  });

  it('signs with a JWK without CRT members (n, e, d only) exactly as node does', async () => {
    const [key] = keys.filter((candidate) => candidate.bits === 2048);
    assert.ok(key !== undefined);
    const { kty, n, e, d } = key.jwk;
    const [signature] = strings(
      await inSandbox(`return [sandboxCrypto.rsaSign('RS256', input, 'no.crt')];`, { kty, n, e, d }),
      'plain rsa',
    );
    assert.equal(signature, sign('sha256', Buffer.from('no.crt'), key.privateKey).toString('base64url'));
  });

  it('refuses keys whose members do not belong together, public keys and partial CRT sets', async () => {
    const [key, other] = keys.filter((candidate) => candidate.bits === 2048 || candidate.bits === 3072);
    assert.ok(key !== undefined && other !== undefined);
    const { kty, n, e } = key.jwk;
    // JSON drops the undefined members, so each case lacks exactly the members set to undefined.
    const broken: Record<string, string | undefined>[] = [
      { ...key.jwk, qi: key.jwk.dp }, // a wrong CRT coefficient: the e-check must catch the bad signature
      { kty, n, e, d: other.jwk.d }, // another key's private exponent, no CRT members
      { ...key.jwk, p: other.jwk.p },
      { ...key.jwk, qi: undefined },
      { kty, n, e },
      { ...key.jwk, kty: 'EC' },
      { ...key.jwk, n: `${n}=` },
    ];
    const found = strings(
      await inSandbox(
        `return input.map((jwk) => { try { sandboxCrypto.rsaSign('RS256', jwk, 'x'); return 'accepted'; }
          catch (e) { return e.message; } });`,
        broken,
      ),
      'broken keys',
    );
    assert.match(found[0] ?? '', /does not verify with the JWK's own "n" and "e"/);
    assert.match(found[1] ?? '', /does not verify with the JWK's own "n" and "e"/);
    assert.match(found[2] ?? '', /"p" times "q" is not its "n"/);
    assert.match(found[3] ?? '', /give all five or none/);
    assert.match(found[4] ?? '', /no "d": pass the private JWK/);
    assert.match(found[5] ?? '', /kty "RSA"/);
    assert.match(found[6] ?? '', /"n" is not base64url/);
  });
});

describe('sandboxCrypto publicKeyPem and publicKeyDer', () => {
  const shapes = [
    { modulusLength: 1024, publicExponent: 65537 },
    { modulusLength: 1025, publicExponent: 65537 },
    { modulusLength: 2047, publicExponent: 65537 },
    { modulusLength: 2048, publicExponent: 65537 },
    { modulusLength: 2048, publicExponent: 65537 },
    { modulusLength: 2048, publicExponent: 3 },
    { modulusLength: 2048, publicExponent: 0x80000001 },
    { modulusLength: 2049, publicExponent: 65537 },
    { modulusLength: 3072, publicExponent: 65537 },
    { modulusLength: 4096, publicExponent: 65537 },
  ];
  // Both encoders read n and e only, and node's createPublicKey takes any odd n: a random odd n of the
  // shape's length, with the top bit set, is a public key of that shape for either of them, where
  // generating a key pair per shape (up to 4096 bits) cost about 2 s of CPU. The generated keys the
  // signing tests use come after the shapes.
  const jwks = [
    ...shapes.map(({ modulusLength, publicExponent }) => ({
      kty: 'RSA',
      n: randomModulus(modulusLength).toString('base64url'),
      e: bigEndian(publicExponent).toString('base64url'),
    })),
    ...signingKeys.map((key) => key.publicKey.export({ format: 'jwk' })),
  ];
  it('gives each shape its modulus length and exponent, as node reads them', () => {
    shapes.forEach((shape, i) => {
      const details = createPublicKey({ key: jwks[i] ?? {}, format: 'jwk' }).asymmetricKeyDetails;
      assert.equal(details?.modulusLength, shape.modulusLength, `shape ${i}`);
      assert.equal(details?.publicExponent, BigInt(shape.publicExponent), `shape ${i}`);
    });
  });
  const highBit = (member: string | undefined): boolean =>
    (Buffer.from(member ?? '', 'base64url')[0] ?? 0) >= 0x80;
  // node accepts a JWK member with a superfluous leading zero octet and drops it: so must we.
  const first = jwks[3];
  assert.ok(first?.n !== undefined);
  const padded = {
    ...first,
    n: Buffer.concat([Buffer.from([0]), Buffer.from(first.n, 'base64url')]).toString('base64url'),
  };
  const cases = [...jwks, padded, { ...first, kid: 'pool-kid', alg: 'RS256', use: 'sig' }];

  it('covers moduli and exponents with and without the high bit that forces a leading 00 in DER', () => {
    assert.ok(cases.some((jwk) => highBit(jwk.n)) && cases.some((jwk) => !highBit(jwk.n)));
    assert.ok(cases.some((jwk) => highBit(jwk.e)) && cases.some((jwk) => !highBit(jwk.e)));
  });

  it("equals node's createPublicKey(jwk).export for SPKI and PKCS#1, PEM with and without the newline, and DER", async () => {
    const found = strings(
      await inSandbox(
        `return input.flatMap((jwk) => [
          sandboxCrypto.publicKeyPem(jwk, 'spki', true), sandboxCrypto.publicKeyPem(jwk, 'spki', false),
          sandboxCrypto.publicKeyPem(jwk, 'pkcs1', true), sandboxCrypto.publicKeyPem(jwk, 'pkcs1', false),
          sandboxCrypto.hex(sandboxCrypto.publicKeyDer(jwk, 'spki')), sandboxCrypto.hex(sandboxCrypto.publicKeyDer(jwk, 'pkcs1'))]);`,
        cases,
      ),
      'pems',
    );
    assert.equal(found.length, cases.length * 6);
    cases.forEach((jwk, i) => {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      const [spki, spkiBare, pkcs1, pkcs1Bare, spkiDer, pkcs1Der] = found.slice(i * 6, i * 6 + 6);
      const nodeSpki = key.export({ type: 'spki', format: 'pem' }).toString();
      const nodePkcs1 = key.export({ type: 'pkcs1', format: 'pem' }).toString();
      assert.ok(nodeSpki.endsWith('-----\n'));
      assert.equal(spki, nodeSpki, `spki pem, case ${i}`);
      assert.equal(spkiBare, nodeSpki.slice(0, -1), `spki pem without newline, case ${i}`);
      assert.equal(pkcs1, nodePkcs1, `pkcs1 pem, case ${i}`);
      assert.equal(pkcs1Bare, nodePkcs1.slice(0, -1), `pkcs1 pem without newline, case ${i}`);
      assert.equal(
        spkiDer,
        key.export({ type: 'spki', format: 'der' }).toString('hex'),
        `spki der, case ${i}`,
      );
      assert.equal(
        pkcs1Der,
        key.export({ type: 'pkcs1', format: 'der' }).toString('hex'),
        `pkcs1 der, case ${i}`,
      );
    });
  });
});

describe('sandboxCrypto with the committed attacker key', () => {
  const attacker = attackerKey();

  it('the certificate parses with X509Certificate and carries the attacker public key', async () => {
    const certificate = new X509Certificate(Buffer.from(attacker.certificateDer, 'base64'));
    const jwk = certificate.publicKey.export({ format: 'jwk' });
    assert.equal(jwk.n, attacker.publicJwk.n);
    assert.equal(jwk.e, attacker.publicJwk.e);
    assert.ok(certificate.verify(certificate.publicKey), 'self-signed');
    const [pem, x5c] = strings(
      await inSandbox(
        `return [sandboxCrypto.publicKeyPem(input.jwk, 'spki', true),
          sandboxCrypto.base64(sandboxCrypto.fromBase64(input.der))];`,
        { jwk: attacker.publicJwk, der: attacker.certificateDer },
      ),
      'attacker encodings',
    );
    assert.equal(pem, certificate.publicKey.export({ type: 'spki', format: 'pem' }));
    assert.equal(x5c, certificate.raw.toString('base64'));
  });

  // How long these signatures take is measured by `npm run bench` (measure 9), never here.
  it('tokens signed with the attacker private JWK in the sandbox verify with the certificate key', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: attacker.kid })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'attacker', exp: 1 })).toString('base64url');
    const signingInput = `${header}.${payload}`;
    const found = await inSandbox(
      `const out = { signatures: {} };
      const { kty, n, e, d } = input.jwk;
      for (const alg of input.algs.concat(['RS256 without CRT'])) {
        const jwk = alg.endsWith('CRT') ? { kty, n, e, d } : input.jwk;
        out.signatures[alg] = sandboxCrypto.rsaSign(alg.slice(0, 5), jwk, input.signingInput);
      }
      return out;`,
      { jwk: attacker.privateJwk, algs: RSA_ALGS, signingInput },
    );
    assert.ok(typeof found === 'object' && found !== null && 'signatures' in found);
    const signatures = stringRecord(found.signatures);
    for (const alg of RSA_ALGS) {
      assert.ok(
        verifies(alg, attacker.certificate.publicKey, Buffer.from(signingInput), signatures[alg] ?? ''),
        alg,
      );
    }
    assert.equal(signatures['RS256 without CRT'], signatures.RS256);
  });
});

/** A random odd number of exactly `bits` bits, big-endian. */
function randomModulus(bits: number): Buffer {
  const bytes = randomBytes(Math.ceil(bits / 8));
  const top = (bits - 1) % 8;
  bytes[0] = ((bytes[0] ?? 0) & ((1 << (top + 1)) - 1)) | (1 << top);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) | 1;
  return bytes;
}

/** An unsigned integer in the fewest big-endian bytes, as a JWK's "e". */
function bigEndian(value: number): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function stringRecord(value: unknown): Record<string, string> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), 'not an object');
  for (const item of Object.values(value)) assert.equal(typeof item, 'string');
  return value as Record<string, string>;
}
