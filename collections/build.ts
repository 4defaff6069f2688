/**
 * Writes collections/hello-api.postman_collection.json from its sources: `tsx collections/build.ts`.
 * With --check it writes nothing and exits 1 when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderHelloApiCollection } from './hello-api-collection.ts';

const target = new URL('./hello-api.postman_collection.json', import.meta.url);
const built = renderHelloApiCollection();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is just stale.
  }
  if (committed !== built) {
    console.error(
      'collections/hello-api.postman_collection.json is stale: run `npx tsx collections/build.ts`.',
    );
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, built);
  console.log(`Wrote ${target.pathname}`);
}
