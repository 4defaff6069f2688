// sandboxCrypto: the byte, hash, HMAC, RSA and key-encoding primitives the attack clauses need, written
// for the Postman sandbox, so that the Postman app, bare `newman run` and `npm run contract` forge the same
// tokens from the same code. Background, standards and limits: docs/sandbox-crypto.md.
//
// Why it looks like this:
// - The sandbox has no Node crypto, no WebCrypto, no TextEncoder/TextDecoder (checked in
//   postman-sandbox 4.7.1, Newman 6.2.2's), and the Postman app's Buffer is a shim we do not rely on.
//   What it does have is `require('crypto-js')` (hashes, HMAC) and BigInt (RSA). So bytes are
//   Uint8Arrays handled with plain loops, and RSA is done here with BigInt.
// - The collection builder inlines this file into the scripts that call it: ONE top-level name
//   (`sandboxCrypto`), no side effects, no logging. (A top-level const of a collection-level script is
//   not visible to request scripts, each script has its own scope; a script can also evaluate the text
//   from a variable: `const sandboxCrypto = eval(text + '\nsandboxCrypto;')`.)
// - Every function checks its arguments and throws a TypeError naming the function, what is wrong and
//   what it expects, so a builder bug fails its clause loudly instead of sending a token that tests
//   nothing.
// - BigInt is reached through `BigInt(...)` calls, never `1n` literals: a literal is a syntax error in a
//   sandbox without BigInt and would take every clause of the script down, a call fails only rsaSign.
// - Byte arguments are recognised by Object.prototype.toString, not instanceof: a caller's bytes may
//   come from another script's context, and a Uint8Array from another realm fails instanceof.
//
// Not constant-time, no blinding, deterministic PSS salt: this only forges attacker tokens that the API
// must refuse. Never use it to protect anything.
const sandboxCrypto = (() => {
  const CryptoJS = require('crypto-js');

  function fail(fn, sentence) {
    throw new TypeError(`sandboxCrypto.${fn}: ${sentence}`);
  }

  // Strings longer than 16 characters are described by their length only: an argument may be part of a
  // live token, which must never reach a console or a report through an error message.
  function describe(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    if (typeof value === 'string') {
      return value.length <= 16
        ? `the string ${JSON.stringify(value)}`
        : `a string of ${value.length} characters`;
    }
    if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
    return `${typeof value} ${String(value)}`;
  }

  function isBytes(value) {
    return Object.prototype.toString.call(value) === '[object Uint8Array]';
  }

  function oneOf(fn, what, value, allowed) {
    if (allowed.indexOf(value) === -1) {
      fail(fn, `${what} must be one of ${allowed.join(', ')}, got ${describe(value)}.`);
    }
    return value;
  }

  // ---- UTF-8 (RFC 3629) -------------------------------------------------------------------------------

  // Strict: a lone surrogate has no UTF-8 encoding, and replacing it with U+FFFD (what TextEncoder does)
  // would sign text other than the caller's. JSON.stringify never produces one (it escapes them).
  function utf8Of(fn, text) {
    const out = new Uint8Array(text.length * 3);
    let length = 0;
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdfff) {
        const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (code > 0xdbff || low < 0xdc00 || low > 0xdfff) {
          fail(
            fn,
            `the text has a lone surrogate at index ${i}, which has no UTF-8 encoding; pass well-formed text.`,
          );
        }
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
      if (code < 0x80) {
        out[length++] = code;
      } else if (code < 0x800) {
        out[length++] = 0xc0 | (code >> 6);
        out[length++] = 0x80 | (code & 0x3f);
      } else if (code < 0x10000) {
        out[length++] = 0xe0 | (code >> 12);
        out[length++] = 0x80 | ((code >> 6) & 0x3f);
        out[length++] = 0x80 | (code & 0x3f);
      } else {
        out[length++] = 0xf0 | (code >> 18);
        out[length++] = 0x80 | ((code >> 12) & 0x3f);
        out[length++] = 0x80 | ((code >> 6) & 0x3f);
        out[length++] = 0x80 | (code & 0x3f);
      }
    }
    return out.slice(0, length);
  }

  /** utf8(text) -> Uint8Array: the UTF-8 encoding of a well-formed string. */
  function utf8(text) {
    if (typeof text !== 'string') fail('utf8', `expected a string, got ${describe(text)}.`);
    return utf8Of('utf8', text);
  }

  /**
   * fromUtf8(bytes) -> string: decodes strict UTF-8 and throws on anything else (overlong forms,
   * surrogates, code points past U+10FFFF, truncated sequences), so decoding a live token's part never
   * silently turns bytes into U+FFFD.
   */
  function fromUtf8(bytes) {
    if (!isBytes(bytes)) fail('fromUtf8', `expected a Uint8Array, got ${describe(bytes)}.`);
    const units = [];
    let text = '';
    for (let i = 0; i < bytes.length; ) {
      const first = bytes[i];
      let need = 0;
      let code = 0;
      let min = 0;
      if (first < 0x80) {
        code = first;
      } else if (first >= 0xc2 && first <= 0xdf) {
        need = 1;
        code = first & 0x1f;
        min = 0x80;
      } else if (first >= 0xe0 && first <= 0xef) {
        need = 2;
        code = first & 0x0f;
        min = 0x800;
      } else if (first >= 0xf0 && first <= 0xf4) {
        need = 3;
        code = first & 0x07;
        min = 0x10000;
      } else {
        fail(
          'fromUtf8',
          `byte ${i} (0x${hexByte(first)}) cannot start a UTF-8 sequence; the bytes are not UTF-8.`,
        );
      }
      for (let k = 1; k <= need; k++) {
        const next = bytes[i + k];
        if (next === undefined || (next & 0xc0) !== 0x80) {
          fail('fromUtf8', `the UTF-8 sequence starting at byte ${i} is truncated; the bytes are not UTF-8.`);
        }
        code = (code << 6) | (next & 0x3f);
      }
      if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        fail(
          'fromUtf8',
          `the UTF-8 sequence starting at byte ${i} is overlong or encodes a surrogate or a code point past U+10FFFF.`,
        );
      }
      if (code >= 0x10000) {
        units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
      } else {
        units.push(code);
      }
      i += need + 1;
      // Flush in chunks: String.fromCharCode.apply has an argument-count limit.
      if (units.length >= 8192) text += String.fromCharCode.apply(null, units.splice(0, units.length));
    }
    return text + String.fromCharCode.apply(null, units);
  }

  // Every byte argument also accepts a string, taken as its UTF-8 encoding (a JWS signing input is text).
  function bytesOf(fn, what, value) {
    if (isBytes(value)) return value;
    if (typeof value === 'string') return utf8Of(fn, value);
    return fail(fn, `${what} must be a Uint8Array or a string, got ${describe(value)}.`);
  }

  /** bytes(list) -> Uint8Array: bytes from a list of integers 0..255, e.g. bytes([0xff, 0xfe, 0xfd]). */
  function bytes(list) {
    if (!Array.isArray(list)) fail('bytes', `expected an array of integers 0..255, got ${describe(list)}.`);
    const out = new Uint8Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const value = list[i];
      if (typeof value !== 'number' || value !== Math.floor(value) || value < 0 || value > 255) {
        fail('bytes', `item ${i} is ${describe(value)}, not an integer 0..255.`);
      }
      out[i] = value;
    }
    return out;
  }

  /** concat(...parts) -> Uint8Array: the parts (Uint8Arrays or UTF-8 strings) one after another. */
  function concat(...values) {
    const parts = values.map((value, i) => bytesOf('concat', `argument ${i}`, value));
    let total = 0;
    for (const part of parts) total += part.length;
    const out = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  // ---- hex and base64 (RFC 4648 §4, §5) -------------------------------------------------------------

  function hexByte(value) {
    return (value < 16 ? '0' : '') + value.toString(16);
  }

  /** hex(bytes|string) -> string: lower-case hex. */
  function hex(value) {
    const data = bytesOf('hex', 'the input', value);
    let out = '';
    for (let i = 0; i < data.length; i++) out += hexByte(data[i]);
    return out;
  }

  /** fromHex(str) -> Uint8Array: an even number of hex digits, either case. */
  function fromHex(text) {
    if (typeof text !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(text)) {
      fail('fromHex', `expected an even number of hex digits, got ${describe(text)}.`);
    }
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
    return out;
  }

  const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  function encode64(data, alphabet, pad) {
    const chunks = [];
    let i = 0;
    for (; i + 2 < data.length; i += 3) {
      const n = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      chunks.push(
        alphabet[n >>> 18] + alphabet[(n >>> 12) & 63] + alphabet[(n >>> 6) & 63] + alphabet[n & 63],
      );
    }
    if (data.length - i === 1) {
      const n = data[i] << 16;
      chunks.push(alphabet[n >>> 18] + alphabet[(n >>> 12) & 63] + (pad ? '==' : ''));
    } else if (data.length - i === 2) {
      const n = (data[i] << 16) | (data[i + 1] << 8);
      chunks.push(
        alphabet[n >>> 18] + alphabet[(n >>> 12) & 63] + alphabet[(n >>> 6) & 63] + (pad ? '=' : ''),
      );
    }
    return chunks.join('');
  }

  // Strict decoding: only the alphabet's characters, no whitespace, and zero trailing bits (RFC 4648
  // §3.5), so every byte string has exactly one accepted text and a re-encoding is the same text.
  function decode64(fn, text, alphabet, name) {
    const rest = text.length % 4;
    if (rest === 1)
      fail(fn, `${describe(text)} has 4k+1 characters (padding aside), which no byte string encodes to.`);
    const out = new Uint8Array(Math.floor(text.length / 4) * 3 + (rest === 0 ? 0 : rest - 1));
    let bits = 0;
    let buffer = 0;
    let length = 0;
    for (let i = 0; i < text.length; i++) {
      const value = alphabet.indexOf(text[i]);
      if (value === -1) {
        fail(
          fn,
          `character ${i} (${JSON.stringify(text[i])}) of ${describe(text)} is not in the ${name} alphabet.`,
        );
      }
      buffer = ((buffer << 6) | value) & 0xffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[length++] = (buffer >> bits) & 0xff;
      }
    }
    if ((buffer & ((1 << bits) - 1)) !== 0) {
      fail(
        fn,
        `the last character of ${describe(text)} has non-zero unused bits, so it is not canonical ${name}.`,
      );
    }
    return out;
  }

  /** base64url(bytes|string) -> string: base64url without padding (RFC 7515 §2), as JWS parts use it. */
  function base64url(value) {
    return encode64(bytesOf('base64url', 'the input', value), URL_SAFE, false);
  }

  /** fromBase64url(str) -> Uint8Array: strict: base64url alphabet only, no padding, canonical. */
  function fromBase64url(text) {
    if (typeof text !== 'string') fail('fromBase64url', `expected a string, got ${describe(text)}.`);
    return decode64('fromBase64url', text, URL_SAFE, 'base64url');
  }

  /**
   * base64(bytes|string, {pad}) -> string: the standard alphabet (+/), padded with = unless
   * {pad: false}; x5c certificates and PEM bodies use the padded form.
   */
  function base64(value, options) {
    const data = bytesOf('base64', 'the input', value);
    let pad = true;
    if (options !== undefined) {
      if (
        options === null ||
        typeof options !== 'object' ||
        Object.keys(options).some((key) => key !== 'pad')
      ) {
        fail('base64', `options must be {pad: boolean} or left out, got ${describe(options)}.`);
      }
      if (options.pad !== undefined && typeof options.pad !== 'boolean') {
        fail('base64', `options.pad must be a boolean, got ${describe(options.pad)}.`);
      }
      if (options.pad === false) pad = false;
    }
    return encode64(data, STANDARD, pad);
  }

  /** fromBase64(str) -> Uint8Array: the standard alphabet, padding either complete or absent, canonical. */
  function fromBase64(text) {
    if (typeof text !== 'string') fail('fromBase64', `expected a string, got ${describe(text)}.`);
    // Padding counts only as the last one or two characters of a length that is a multiple of 4; any
    // other "=" is then outside the alphabet and refused.
    let body = text;
    if (text.length % 4 === 0 && text.endsWith('==')) body = text.slice(0, -2);
    else if (text.length % 4 === 0 && text.endsWith('=')) body = text.slice(0, -1);
    return decode64('fromBase64', body, STANDARD, 'base64');
  }

  // ---- hashes and HMAC via CryptoJS (FIPS 180-4, RFC 2104) ------------------------------------------

  const HASHES = {
    'SHA-256': { hash: 'SHA256', hmac: 'HmacSHA256', length: 32 },
    'SHA-384': { hash: 'SHA384', hmac: 'HmacSHA384', length: 48 },
    'SHA-512': { hash: 'SHA512', hmac: 'HmacSHA512', length: 64 },
  };

  function toWordArray(data) {
    const words = [];
    for (let i = 0; i < data.length; i++) words[i >>> 2] |= data[i] << (24 - (i % 4) * 8);
    return CryptoJS.lib.WordArray.create(words, data.length);
  }

  function fromWordArray(wordArray) {
    const out = new Uint8Array(wordArray.sigBytes);
    for (let i = 0; i < out.length; i++) out[i] = (wordArray.words[i >>> 2] >>> (24 - (i % 4) * 8)) & 0xff;
    return out;
  }

  function hashBytes(name, data) {
    return fromWordArray(CryptoJS[HASHES[name].hash](toWordArray(data)));
  }

  /** digest('SHA-256'|'SHA-384'|'SHA-512', bytes|string) -> Uint8Array. */
  function digest(alg, value) {
    oneOf('digest', 'alg', alg, Object.keys(HASHES));
    return hashBytes(alg, bytesOf('digest', 'the input', value));
  }

  const HMAC_ALGS = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

  /**
   * hmac('HS256'|'HS384'|'HS512', key: string|Uint8Array, input: string|Uint8Array) -> base64url: the
   * JWS signature (RFC 7518 §3.2). A string key is its UTF-8 bytes; an empty key is allowed (an attack).
   */
  function hmac(alg, key, input) {
    oneOf('hmac', 'alg', alg, Object.keys(HMAC_ALGS));
    const keyBytes = bytesOf('hmac', 'the key', key);
    const data = bytesOf('hmac', 'the signing input', input);
    return base64url(
      fromWordArray(CryptoJS[HASHES[HMAC_ALGS[alg]].hmac](toWordArray(data), toWordArray(keyBytes))),
    );
  }

  // ---- RSA signatures (RFC 8017 §8.1, §8.2, §9.1, §9.2) ---------------------------------------------

  const RSA_ALGS = {
    RS256: { hash: 'SHA-256', pss: false },
    RS384: { hash: 'SHA-384', pss: false },
    RS512: { hash: 'SHA-512', pss: false },
    PS256: { hash: 'SHA-256', pss: true },
    PS384: { hash: 'SHA-384', pss: true },
    PS512: { hash: 'SHA-512', pss: true },
  };

  // DER of DigestInfo ::= SEQUENCE { AlgorithmIdentifier {OID, NULL}, OCTET STRING <hash> } up to the
  // hash itself: RFC 8017 §9.2 note 1 (the OIDs are id-sha256/384/512, 2.16.840.1.101.3.4.2.1/2/3).
  const DIGEST_INFO_PREFIX = {
    'SHA-256': '3031300d060960864801650304020105000420',
    'SHA-384': '3041300d060960864801650304020205000430',
    'SHA-512': '3051300d060960864801650304020305000440',
  };

  function toBig(data) {
    return data.length === 0 ? BigInt(0) : BigInt(`0x${hex(data)}`);
  }

  // I2OSP (RFC 8017 §4.1).
  function fromBig(value, length) {
    const digits = value.toString(16);
    if (digits.length > length * 2)
      throw new RangeError('sandboxCrypto: integer too large for its octet length.');
    return fromHex('0'.repeat(length * 2 - digits.length) + digits);
  }

  // Left-to-right exponentiation with a fixed 4-bit window: one multiplication per hex digit of the
  // exponent instead of one per set bit, about 20% fewer than square-and-multiply for a random exponent.
  function modPow(base, exponent, modulus) {
    const table = [BigInt(1) % modulus, base % modulus];
    for (let i = 2; i < 16; i++) table.push((table[i - 1] * table[1]) % modulus);
    const digits = exponent.toString(16);
    let result = table[0];
    for (let i = 0; i < digits.length; i++) {
      if (i > 0) {
        for (let k = 0; k < 4; k++) result = (result * result) % modulus;
      }
      const digit = parseInt(digits[i], 16);
      if (digit !== 0) result = (result * table[digit]) % modulus;
    }
    return result;
  }

  function jwkInteger(fn, jwk, member) {
    return toBig(jwkBytes(fn, jwk, member));
  }

  function rsaPrivateKey(fn, jwk) {
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
      fail(fn, `the key must be an RSA private JWK object, got ${describe(jwk)}.`);
    }
    if (jwk.kty !== 'RSA') fail(fn, `the key must be an RSA JWK (kty "RSA"), got kty ${describe(jwk.kty)}.`);
    if (jwk.d === undefined) fail(fn, 'the JWK has no "d": pass the private JWK, not the public one.');
    const key = { n: jwkInteger(fn, jwk, 'n'), e: jwkInteger(fn, jwk, 'e'), d: jwkInteger(fn, jwk, 'd') };
    const crt = ['p', 'q', 'dp', 'dq', 'qi'];
    const present = crt.filter((member) => jwk[member] !== undefined);
    if (present.length === crt.length) {
      for (const member of crt) key[member] = jwkInteger(fn, jwk, member);
      if (key.p * key.q !== key.n) fail(fn, 'the JWK\'s "p" times "q" is not its "n"; the key is corrupt.');
    } else if (present.length > 0) {
      fail(fn, `the JWK has ${present.join(', ')} but not all of p, q, dp, dq, qi; give all five or none.`);
    }
    if (key.n < BigInt(256)) fail(fn, 'the JWK\'s "n" is far too small to be an RSA modulus.');
    key.bits = key.n.toString(2).length;
    key.length = Math.ceil(key.bits / 8);
    return key;
  }

  // RSASP1 (RFC 8017 §5.2.1), the CRT form when the JWK has its CRT members (measured for 2048 bits in
  // postman-sandbox 4.7.1: about 5 ms a signature with CRT, 12 ms without). The result is checked with
  // the public exponent (cheap for e = 65537): a key whose members do not belong together would
  // otherwise give a signature that fails to verify for a reason no clause is about.
  function rsaPrivate(fn, key, m) {
    let s;
    if (key.p !== undefined) {
      const m1 = modPow(m % key.p, key.dp, key.p);
      const m2 = modPow(m % key.q, key.dq, key.q);
      const h = (key.qi * ((((m1 - m2) % key.p) + key.p) % key.p)) % key.p;
      s = m2 + h * key.q;
    } else {
      s = modPow(m, key.d, key.n);
    }
    if (modPow(s, key.e, key.n) !== m) {
      fail(
        fn,
        'the signature does not verify with the JWK\'s own "n" and "e"; its private members do not match them.',
      );
    }
    return s;
  }

  // EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF..FF 00 DigestInfo.
  function emsaPkcs1(fn, hashName, message, emLength) {
    const t = concat(fromHex(DIGEST_INFO_PREFIX[hashName]), hashBytes(hashName, message));
    if (emLength < t.length + 11)
      fail(fn, `the modulus is too short for ${hashName} PKCS#1 v1.5 signatures.`);
    const em = new Uint8Array(emLength).fill(0xff);
    em[0] = 0x00;
    em[1] = 0x01;
    em[emLength - t.length - 1] = 0x00;
    em.set(t, emLength - t.length);
    return em;
  }

  // MGF1 (RFC 8017 §B.2.1).
  function mgf1(hashName, seed, length) {
    const out = new Uint8Array(length);
    const hLength = HASHES[hashName].length;
    for (let counter = 0, offset = 0; offset < length; counter++, offset += hLength) {
      const c = new Uint8Array([
        counter >>> 24,
        (counter >>> 16) & 0xff,
        (counter >>> 8) & 0xff,
        counter & 0xff,
      ]);
      const block = hashBytes(hashName, concat(seed, c));
      out.set(block.subarray(0, Math.min(hLength, length - offset)), offset);
    }
    return out;
  }

  // EMSA-PSS encoding (RFC 8017 §9.1.1) with MGF1 over the same hash and a salt as long as the hash
  // (RFC 7518 §3.5).
  function emsaPss(fn, hashName, message, emBits, salt) {
    const hLength = HASHES[hashName].length;
    const emLength = Math.ceil(emBits / 8);
    if (emLength < 2 * hLength + 2) fail(fn, `the modulus is too short for ${hashName} PSS signatures.`);
    const mHash = hashBytes(hashName, message);
    const h = hashBytes(hashName, concat(new Uint8Array(8), mHash, salt));
    const db = new Uint8Array(emLength - hLength - 1);
    db[db.length - hLength - 1] = 0x01;
    db.set(salt, db.length - hLength);
    const mask = mgf1(hashName, h, db.length);
    for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
    db[0] &= 0xff >>> (8 * emLength - emBits);
    return concat(db, h, new Uint8Array([0xbc]));
  }

  /**
   * rsaSign('RS256'|'RS384'|'RS512'|'PS256'|'PS384'|'PS512', privateJwk, signingInput: string|Uint8Array,
   * options?: {salt: Uint8Array}) -> base64url: the JWS signature (RFC 7518 §3.3, §3.5). privateJwk needs
   * kty "RSA", n, e, d, and either all of p, q, dp, dq, qi (CRT, faster) or none of them.
   *
   * PS* salt: the sandbox has no secure random source (Newman's CryptoJS 3.3.0 makes its "random"
   * words from Math.random; CryptoJS 4 throws where no native crypto exists), and a verifier cannot
   * tell one salt from another (it recovers the salt from the signature, RFC 8017 §9.1.2), so the
   * default salt is derived: the hash of "sandboxCrypto PSS salt" and the message hash. Same input,
   * same signature; pass options.salt (exactly the hash length) to choose another.
   */
  function rsaSign(alg, privateJwk, signingInput, options) {
    const spec = RSA_ALGS[oneOf('rsaSign', 'alg', alg, Object.keys(RSA_ALGS))];
    if (typeof BigInt !== 'function') {
      fail(
        'rsaSign',
        'this sandbox has no BigInt, which RSA needs here; use a Postman app or Newman with BigInt.',
      );
    }
    const message = bytesOf('rsaSign', 'the signing input', signingInput);
    const key = rsaPrivateKey('rsaSign', privateJwk);
    let salt;
    if (options !== undefined) {
      if (options === null || typeof options !== 'object' || Object.keys(options).some((k) => k !== 'salt')) {
        fail('rsaSign', `options must be {salt: Uint8Array} or left out, got ${describe(options)}.`);
      }
      if (options.salt !== undefined) {
        if (!spec.pss) fail('rsaSign', `options.salt applies to PS* algorithms only, not ${alg}.`);
        if (!isBytes(options.salt) || options.salt.length !== HASHES[spec.hash].length) {
          fail(
            'rsaSign',
            `options.salt must be a Uint8Array of ${HASHES[spec.hash].length} bytes (the hash length), got ${describe(options.salt)}.`,
          );
        }
        salt = options.salt;
      }
    }
    let em;
    if (spec.pss) {
      if (salt === undefined) {
        salt = hashBytes(spec.hash, concat('sandboxCrypto PSS salt', hashBytes(spec.hash, message)));
      }
      em = emsaPss('rsaSign', spec.hash, message, key.bits - 1, salt);
    } else {
      em = emsaPkcs1('rsaSign', spec.hash, message, key.length);
    }
    return base64url(fromBig(rsaPrivate('rsaSign', key, toBig(em)), key.length));
  }

  /**
   * sign(alg, key, signingInput) -> base64url: HS256/384/512 -> hmac(alg, key, input), RS256/384/512 and
   * PS256/384/512 -> rsaSign(alg, key, input). For builders that take the algorithm from data. "none" is not an algorithm here: its
   * signature is whatever the row says (usually '').
   */
  function sign(alg, key, signingInput) {
    if (Object.keys(HMAC_ALGS).indexOf(alg) !== -1) return hmac(alg, key, signingInput);
    if (Object.keys(RSA_ALGS).indexOf(alg) !== -1) return rsaSign(alg, key, signingInput);
    return fail(
      'sign',
      `alg must be one of ${Object.keys(HMAC_ALGS).concat(Object.keys(RSA_ALGS)).join(', ')}, got ${describe(alg)}.`,
    );
  }

  // ---- RSA public key encodings (RFC 8017 §A.1.1, RFC 5280 §4.1, RFC 3279 §2.3.1, RFC 7468) -------

  // A JWK's integer members (RFC 7518 §6.3) as bytes; the strict decoder refuses padding and +/.
  function jwkBytes(fn, jwk, member) {
    const value = jwk[member];
    if (typeof value !== 'string' || value === '') {
      fail(fn, `the JWK's "${member}" must be a non-empty base64url string, got ${describe(value)}.`);
    }
    try {
      return fromBase64url(value);
    } catch (error) {
      return fail(
        fn,
        `the JWK's "${member}" is not base64url: ${error.message.replace(/^sandboxCrypto\.\w+: /, '')}`,
      );
    }
  }

  function derLength(length) {
    if (length < 0x80) return new Uint8Array([length]);
    const octets = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
    return new Uint8Array([0x80 | octets.length].concat(octets));
  }

  function der(tag, content) {
    return concat(new Uint8Array([tag]), derLength(content.length), content);
  }

  // DER INTEGER of a non-negative integer: minimal octets, plus a leading 00 when the high bit is set
  // (otherwise it would read as negative). Leading zero octets of a JWK member are dropped, as node does.
  function derUnsigned(data) {
    let start = 0;
    while (start < data.length - 1 && data[start] === 0) start++;
    const minimal = data.subarray(start);
    return der(0x02, minimal[0] & 0x80 ? concat(new Uint8Array([0]), minimal) : minimal);
  }

  const RSA_ENCRYPTION_ALGORITHM = '300d06092a864886f70d0101010500'; // SEQUENCE { 1.2.840.113549.1.1.1, NULL }

  /**
   * publicKeyDer(jwk {kty:'RSA', n, e}, 'spki'|'pkcs1') -> Uint8Array: the DER of SubjectPublicKeyInfo
   * (RFC 5280 §4.1.2.7, rsaEncryption with NULL parameters, RFC 3279 §2.3.1) or of PKCS#1 RSAPublicKey
   * (RFC 8017 §A.1.1). Other JWK members (kid, alg, use, private ones) are ignored.
   */
  function publicKeyDer(jwk, form) {
    oneOf('publicKeyDer', 'form', form, ['spki', 'pkcs1']);
    return publicDer('publicKeyDer', jwk, form);
  }

  function publicDer(fn, jwk, form) {
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
      fail(fn, `the key must be an RSA JWK object, got ${describe(jwk)}.`);
    }
    if (jwk.kty !== 'RSA') fail(fn, `the key must be an RSA JWK (kty "RSA"), got kty ${describe(jwk.kty)}.`);
    const n = jwkBytes(fn, jwk, 'n');
    const e = jwkBytes(fn, jwk, 'e');
    const rsaPublicKey = der(0x30, concat(derUnsigned(n), derUnsigned(e)));
    if (form === 'pkcs1') return rsaPublicKey;
    return der(
      0x30,
      concat(fromHex(RSA_ENCRYPTION_ALGORITHM), der(0x03, concat(new Uint8Array([0]), rsaPublicKey))),
    );
  }

  /** pem(label, bytes) -> string: RFC 7468 text, 64-character lines, ending with a newline. */
  function pem(label, value) {
    if (typeof label !== 'string' || !/^[A-Z0-9]+(?: [A-Z0-9]+)*$/.test(label)) {
      fail('pem', `label must be upper-case words like "PUBLIC KEY", got ${describe(label)}.`);
    }
    const body = base64(bytesOf('pem', 'the content', value));
    const lines = [`-----BEGIN ${label}-----`];
    for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
    lines.push(`-----END ${label}-----`, '');
    return lines.join('\n');
  }

  /**
   * publicKeyPem(jwk {kty:'RSA', n, e}, 'spki'|'pkcs1', trailingNewline: boolean) -> string: with
   * trailingNewline true, byte for byte node's createPublicKey({key: jwk, format: 'jwk'})
   * .export({type: form, format: 'pem'}) ("BEGIN PUBLIC KEY" / "BEGIN RSA PUBLIC KEY"); false drops the
   * final newline, the other text a careless verifier may use as an HMAC secret.
   */
  function publicKeyPem(jwk, form, trailingNewline) {
    oneOf('publicKeyPem', 'form', form, ['spki', 'pkcs1']);
    if (typeof trailingNewline !== 'boolean') {
      fail('publicKeyPem', `trailingNewline must be true or false, got ${describe(trailingNewline)}.`);
    }
    const text = pem(form === 'spki' ? 'PUBLIC KEY' : 'RSA PUBLIC KEY', publicDer('publicKeyPem', jwk, form));
    return trailingNewline ? text : text.slice(0, -1);
  }

  return Object.freeze({
    utf8,
    fromUtf8,
    bytes,
    concat,
    hex,
    fromHex,
    base64url,
    fromBase64url,
    base64,
    fromBase64,
    digest,
    hmac,
    rsaSign,
    sign,
    publicKeyDer,
    publicKeyPem,
    pem,
  });
})();
