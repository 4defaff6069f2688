/**
 * `npm run typecheck` reads types/aws-sdk.d.cts in place of the SDK v2's index (tsconfig.typecheck.json).
 * With skipLibCheck, a client a declaration names that the stub lacks would silently become `any`, so
 * every SDK v2 client the loaded declarations name, by import from "aws-sdk" or through the global
 * `AWS` namespace, must be one the stub exports.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const repoRoot = new URL('../../', import.meta.url).pathname;
/** The packages whose declarations use the SDK v2 index (found with a grep of node_modules' .d.ts files). */
const USERS = ['cognito-local/lib', '@aws-crypto/kms-keyring-node/build', 'amazon-cognito-identity-js'];

function declarations(dir: string): string[] {
  return readdirSync(join(repoRoot, 'node_modules', dir), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.d.ts') && !file.includes('node_modules'))
    .map((file) => readFileSync(join(repoRoot, 'node_modules', dir, file), 'utf8'));
}

describe('the type check stub of the SDK v2 (types/aws-sdk.d.cts)', () => {
  it('exports, under the global name AWS, every client the loaded declarations name', () => {
    const stub = readFileSync(join(repoRoot, 'types', 'aws-sdk.d.cts'), 'utf8');
    const exported = new Set(
      (/^export \{([^}]*)\};$/m.exec(stub)?.[1] ?? '').split(',').map((name) => name.trim()),
    );
    assert.match(stub, /^export as namespace AWS;$/m);
    const named = new Set<string>();
    for (const user of USERS) {
      for (const text of declarations(user)) {
        for (const [, list] of text.matchAll(/^import (?:type )?\{([^}]*)\} from ["']aws-sdk["'];/gm))
          for (const binding of (list ?? '').split(',')) named.add(binding.trim().split(/\s+as\s+/)[0] ?? '');
        // Every client a line that is not a comment names, however many.
        for (const line of text.split('\n').filter((candidate) => !/^\s*\/\//.test(candidate)))
          for (const [, client] of line.matchAll(/\bAWS\.([A-Z]\w*)/g)) named.add(client ?? '');
      }
    }
    named.delete('');
    assert.ok(named.has('KMS') && named.has('Lambda'), `the scan found ${[...named].join(', ')}`);
    assert.deepEqual(
      [...named].filter((client) => !exported.has(client)),
      [],
      'clients the declarations name that the stub does not export',
    );
  });
});
