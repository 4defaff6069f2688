/**
 * Preloaded (`node --import`) into a bare `newman run` by measure 6, so the bare CLI runs with the
 * runner's setImmediate hops (contract-runner/runtime-hops.ts) and the two can be compared. The module
 * is the TypeScript source where Node strips types itself, and its compiled copy in .build/ on Node 20
 * (common/run-ts.mjs keeps that current before the bench starts).
 */
const source = process.features.typescript
  ? new URL('../../contract-runner/runtime-hops.ts', import.meta.url)
  : new URL('../../.build/contract-runner/runtime-hops.js', import.meta.url);
const { useImmediateHops } = await import(source.href);
const state = useImmediateHops();
if (!state.applied) {
  process.stderr.write(`runtime-hops-preload: the runtime's hops were not changed (${state.why})\n`);
  process.exitCode = 3;
}
