/**
 * `node --import ./tests/support/load-typescript.mjs --test …`: the test files are TypeScript. A Node that
 * strips types itself (22.18 and newer, `process.features.typescript`) runs them as they are; only
 * Node 20 needs a loader, registered here in every test process the runner starts: the hooks in
 * typescript-hooks.mjs (esbuild, with a cache), with source maps on so a failure names the `.ts` line.
 */
import { register } from 'node:module';

if (!process.features.typescript) {
  process.setSourceMapsEnabled(true);
  register('./typescript-hooks.mjs', import.meta.url);
}
