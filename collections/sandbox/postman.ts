/**
 * What the collection's scripts use of the Postman sandbox (postman-sandbox 4.x, the app and Newman
 * alike): the parts of `pm` and of CryptoJS this library calls, typed by hand and nothing more, so
 * that a call the sandbox does not offer fails the type check instead of a run. Types only: the
 * sandbox hands these objects in; nothing here exists at run time.
 */

/** A request header as `pm.request.headers` lists it. */
export interface PmHeader {
  readonly key: string;
  readonly value?: unknown;
  readonly disabled?: boolean;
}

export interface PmVariables {
  /** The variable as the innermost scope holds it (a string, usually; anything a script set). */
  get(name: string): unknown;
  set(name: string, value: string): void;
  /** `{{name}}` references in `text` replaced with their values. */
  replaceIn(text: string): string;
}

/** `pm.response`: the answer to the collection's request, as the checks read it. */
export interface PmResponse {
  readonly code: number;
  /** Milliseconds from sending the request to the end of the answer. */
  readonly responseTime: number;
  text(): string;
  readonly headers: {
    get(name: string): string | undefined;
    /** Every header of the answer, in order. */
    all(): readonly { readonly key: string }[];
  };
}

/** The answer `pm.sendRequest` hands its callback, as the library reads it. */
export interface PmSentResponse {
  readonly code: number;
  /** The body parsed as JSON; throws when it is not JSON. */
  json(): unknown;
}

/** The chai assertion chain `pm.expect` returns, limited to the words the checks use. */
export interface PmAssertion {
  readonly to: PmAssertion;
  readonly be: PmAssertion;
  readonly not: PmAssertion;
  readonly at: PmAssertion;
  readonly true: PmAssertion;
  readonly false: PmAssertion;
  equal(expected: unknown): PmAssertion;
  include(expected: unknown): PmAssertion;
  below(limit: number): PmAssertion;
  within(low: number, high: number): PmAssertion;
  most(limit: number): PmAssertion;
}

export type PmExpect = (actual: unknown, message?: string) => PmAssertion;

export interface PmTest {
  /** A named test: passes unless `run` throws. */
  (name: string, run: () => void): void;
  /** A test reported as skipped, never run. */
  skip(name: string): void;
}

/** What `pm.sendRequest` takes: a request definition of the Postman collection format. */
export interface PmRequestDefinition {
  readonly url: string;
  readonly method: string;
  readonly header?: readonly { readonly key: string; readonly value: string }[];
  readonly body?: { readonly mode: 'raw'; readonly raw: string };
}

/** What the collection-level test script uses: reading the clause and judging the answer. */
export interface PmCheckScope {
  readonly info: { readonly requestId: string };
  readonly request: {
    readonly headers: { find(match: (header: PmHeader) => boolean): PmHeader | undefined };
  };
  /** Absent (or without a code) when the request failed before any answer. */
  readonly response?: PmResponse | undefined;
  readonly variables: Pick<PmVariables, 'get' | 'set'>;
  readonly test: PmTest;
  readonly expect: PmExpect;
}

/** `pm` in the collection-level pre-request and test scripts. */
export interface Pm extends PmCheckScope {
  readonly variables: PmVariables;
  readonly environment: { set(name: string, value: string): void };
  readonly request: {
    readonly headers: PmCheckScope['request']['headers'] & {
      remove(key: string): void;
      upsert(header: { readonly key: string; readonly value: string }): void;
    };
    readonly url: { readonly query: { add(param: { readonly key: string; readonly value: string }): void } };
  };
  /** postman-runtime 7.35 and newer; older runtimes send every request. */
  readonly execution?: { readonly skipRequest?: () => void };
  sendRequest(
    request: PmRequestDefinition,
    callback: (error: unknown, response: PmSentResponse | undefined) => void,
  ): void;
}

/** A CryptoJS WordArray: big-endian 32-bit words, of which `sigBytes` bytes count. */
export interface WordArray {
  readonly words: readonly number[];
  readonly sigBytes: number;
}

type Hasher = (message: WordArray) => WordArray;
type Hmac = (message: WordArray, key: WordArray) => WordArray;

/** `require('crypto-js')` in the sandbox (CryptoJS 3.3.0 in Newman 6.2.2's postman-sandbox). */
export interface CryptoJs {
  readonly lib: {
    readonly WordArray: {
      create(words: number[], sigBytes: number): WordArray;
      /** `count` bytes from CryptoJS's generator (Math.random in 3.3.0: not secure, see sign-in.ts). */
      random(count: number): WordArray;
    };
  };
  readonly SHA256: Hasher;
  readonly SHA384: Hasher;
  readonly SHA512: Hasher;
  readonly HmacSHA256: Hmac;
  readonly HmacSHA384: Hmac;
  readonly HmacSHA512: Hmac;
}
