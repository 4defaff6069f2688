/**
 * The sandbox's CryptoJS with bytes in and bytes out: the one place that calls the sandbox's
 * `require('crypto-js')`, and the only hashes, HMACs and random bytes the library has. The sandbox has
 * no Node crypto and no WebCrypto (docs/sandbox-crypto.md), so everything else is built on these.
 *
 * CryptoJS is loaded on first use, not when the module is evaluated: Node code may import the modules
 * that import this one (for their types and pure parts) where no sandbox `require` exists.
 */
import type { CryptoJs, WordArray } from './postman.ts';

// The sandbox's own `require`, which offers a fixed list of libraries, crypto-js among them. Declared
// in this module's scope so that it shadows Node's typings; the bundle leaves the call to the sandbox
// (crypto-js is external in collections/sandbox-bundle.ts).
declare const require: (name: 'crypto-js') => CryptoJs;

let loaded: CryptoJs | undefined;
function cryptoJs(): CryptoJs {
  loaded ??= require('crypto-js');
  return loaded;
}

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES = {
  'SHA-256': { hash: 'SHA256', hmac: 'HmacSHA256', length: 32 },
  'SHA-384': { hash: 'SHA384', hmac: 'HmacSHA384', length: 48 },
  'SHA-512': { hash: 'SHA512', hmac: 'HmacSHA512', length: 64 },
} as const;

export const HASH_NAMES = Object.keys(HASHES) as HashName[];

/** The output length of a hash in bytes. */
export function hashLength(name: HashName): number {
  return HASHES[name].length;
}

function toWordArray(data: Uint8Array): WordArray {
  const words: number[] = [];
  data.forEach((byte, i) => {
    words[i >>> 2] = (words[i >>> 2] ?? 0) | (byte << (24 - (i % 4) * 8));
  });
  return cryptoJs().lib.WordArray.create(words, data.length);
}

function fromWordArray(wordArray: WordArray): Uint8Array {
  const out = new Uint8Array(wordArray.sigBytes);
  for (let i = 0; i < out.length; i++) {
    out[i] = ((wordArray.words[i >>> 2] ?? 0) >>> (24 - (i % 4) * 8)) & 0xff;
  }
  return out;
}

export function hashBytes(name: HashName, data: Uint8Array): Uint8Array {
  return fromWordArray(cryptoJs()[HASHES[name].hash](toWordArray(data)));
}

export function hmacBytes(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return fromWordArray(cryptoJs()[HASHES[name].hmac](toWordArray(data), toWordArray(key)));
}

/**
 * HKDF (RFC 5869) over HMAC-`name`: extract with `salt`, then expand `info` to `length` bytes. The
 * sandbox has no HKDF of its own; node:crypto's hkdfSync is what the other side of a sign-in uses.
 */
export function hkdfBytes(
  name: HashName,
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  if (length > 255 * hashLength(name)) throw new RangeError('HKDF gives at most 255 blocks of output.');
  const prk = hmacBytes(name, salt, ikm);
  const out = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let counter = 1, offset = 0; offset < length; counter++) {
    const input = new Uint8Array(block.length + info.length + 1);
    input.set(block, 0);
    input.set(info, block.length);
    input[input.length - 1] = counter;
    block = hmacBytes(name, prk, input);
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
    offset += block.length;
  }
  return out;
}

/**
 * `count` bytes from CryptoJS's generator. Not a secure source: CryptoJS 3.3.0 (Newman's) draws them
 * from Math.random, and the sandbox offers nothing better.
 */
export function randomBytes(count: number): Uint8Array {
  return fromWordArray(cryptoJs().lib.WordArray.random(count));
}
