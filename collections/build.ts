/**
 * Writes collections/hello-api.postman_collection.json, the collection QA import, generated from the
 * route table (api/routes.ts) and the attack catalogue: `node common/run-ts.mjs collections/build.ts`. With
 * --check it writes nothing and exits 1 when the committed file is stale (a unit test runs the same
 * comparison).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { helloApi } from '../api/routes.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { COMMITTED_COLLECTION, renderCollection } from './collection.ts';

const built = renderCollection(helloApi);

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(COMMITTED_COLLECTION, 'utf8');
  } catch {
    // A missing file is just stale.
  }
  if (committed !== built) {
    console.error(
      'collections/hello-api.postman_collection.json is stale: run `node common/run-ts.mjs collections/build.ts`.',
    );
    process.exitCode = 1;
  }
} else {
  await writeFileAtomic(fileURLToPath(COMMITTED_COLLECTION), built, { mode: 0o644 });
  console.log(`Wrote ${COMMITTED_COLLECTION.pathname}`);
}
