/**
 * One cold start of the local stack in a fresh process: how long loading the stack's modules takes, and
 * how long `startStack()` takes from call to ready (emulator listening, pool seeded, JWKS cached,
 * gateway listening). Prints one JSON line and exits.
 */
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const { startStack } = await import('../../local-stack/stack.ts');
const t1 = performance.now();
const stack = await startStack();
const t2 = performance.now();
await stack.stop();
process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, startMs: t2 - t1 })}\n`);
