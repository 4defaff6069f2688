/**
 * `node --import ./tests/support/load-typescript.mjs --test …`: the test files are TypeScript. A Node that
 * strips types itself (22.18 and newer, `process.features.typescript`) runs them as they are; only
 * Node 20 needs tsx's loader, registered here, in every test process the runner starts.
 */
if (!process.features.typescript) await import('tsx');
