/**
 * Measure 9: what one 2048-bit signature of collections/sandbox/sandbox-crypto.ts costs where collection
 * scripts run, inside the postman-sandbox package Newman loads (tests/support/postman-sandbox.ts), with
 * the committed attacker key, for each RS* and PS* algorithm and for RS256 from a JWK without the CRT
 * members (n, e, d only). docs/sandbox-crypto.md quotes these figures. Correctness (every signature
 * verifies, RS* equal node's byte for byte) is tests/unit/sandbox-crypto.test.ts's; this only times.
 *
 * One sandbox context for every run, and five untimed signatures first: the first signatures of a fresh
 * context run before the JIT has compiled the modular exponentiation. Each run signs `ROUNDS` times per
 * algorithm, the algorithms in turn, and records the mean per signature.
 */

import { sandboxCryptoScript } from '../../collections/sandbox-bundle.ts';
import { encodeJsonPart } from '../../common/jwt.ts';
import { attackerKey } from '../../security/attacker-key.ts';
import {
  openPostmanSandbox,
  postmanSandboxVersion,
  runAfterScript,
} from '../../tests/support/postman-sandbox.ts';
import { type Spread, spread } from '../support/stats.ts';

export const SANDBOX_SIGNING_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'RS256 without CRT',
] as const;
export type SandboxSigningAlg = (typeof SANDBOX_SIGNING_ALGS)[number];

/** Signatures per algorithm in one run, their mean the run's sample. */
const ROUNDS = 20;

export interface SandboxSigning {
  readonly postmanSandboxVersion: string;
  readonly rounds: number;
  /** Milliseconds per signature, one sample per run. */
  readonly ms: Readonly<Record<SandboxSigningAlg, Spread>>;
}

export async function measureSandboxSigning(input: {
  readonly runs: number;
  readonly log: (line: string) => void;
}): Promise<SandboxSigning> {
  const attacker = attackerKey();
  const source = sandboxCryptoScript();
  const sandbox = await openPostmanSandbox();
  // As the unit test runs it (tests/support/postman-sandbox.ts).
  const run = (body: string, value: unknown) => runAfterScript(sandbox, source, body, value);
  const signingInput = `${encodeJsonPart({ alg: 'RS256', kid: attacker.kid })}.${encodeJsonPart({ sub: 'attacker', exp: 1 })}`;
  const params = { jwk: attacker.privateJwk, algs: SANDBOX_SIGNING_ALGS, signingInput, rounds: ROUNDS };
  try {
    await run(
      `for (let i = 0; i < 5; i++) sandboxCrypto.rsaSign('PS512', input.jwk, input.signingInput);
      return null;`,
      params,
    );
    const samples = Object.fromEntries(SANDBOX_SIGNING_ALGS.map((alg) => [alg, [] as number[]])) as Record<
      SandboxSigningAlg,
      number[]
    >;
    for (let i = 0; i < input.runs; i++) {
      const found = await run(
        `const { kty, n, e, d } = input.jwk;
        const ms = {};
        for (const alg of input.algs) {
          const jwk = alg.endsWith('CRT') ? { kty, n, e, d } : input.jwk;
          const name = alg.slice(0, 5);
          const start = Date.now();
          for (let i = 0; i < input.rounds; i++) sandboxCrypto.rsaSign(name, jwk, input.signingInput);
          ms[alg] = (Date.now() - start) / input.rounds;
        }
        return ms;`,
        params,
      );
      for (const alg of SANDBOX_SIGNING_ALGS) {
        const value = (found as Record<string, unknown> | null)?.[alg];
        if (typeof value !== 'number') throw new Error(`the sandbox timed no ${alg} signature`);
        samples[alg].push(value);
      }
      input.log(
        `  run ${i + 1}/${input.runs}: ${SANDBOX_SIGNING_ALGS.map((alg) => `${alg} ${(samples[alg].at(-1) ?? 0).toFixed(1)} ms`).join(', ')}`,
      );
    }
    return {
      postmanSandboxVersion,
      rounds: ROUNDS,
      ms: Object.fromEntries(SANDBOX_SIGNING_ALGS.map((alg) => [alg, spread(samples[alg])])) as Record<
        SandboxSigningAlg,
        Spread
      >,
    };
  } finally {
    sandbox.dispose();
  }
}
