/**
 * The proof's published JWT library versions, several vulnerable on purpose, are a separate install
 * (tests/contract/package.json and its lockfile, `npm ci --prefix tests/contract`, which .ci/run runs):
 * the root package installs none of them, so `npm ci` for a user brings no vulnerable version. The
 * separate package lists exactly the versions the proof's table names.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { libraryAuthorizers } from './support/library-authorizers.ts';

interface Manifest {
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}
interface Lockfile {
  readonly packages: Readonly<Record<string, { readonly version?: string; readonly name?: string }>>;
}

const json = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as T;
const root = json<Manifest>('../../package.json');
const rootLock = json<Lockfile>('../../package-lock.json');
const proof = json<Manifest>('./package.json');
const proofLock = json<Lockfile>('./package-lock.json');
/** The versions installed under an alias (the control on the product's own aws-jwt-verify is not one). */
const aliased = libraryAuthorizers.filter((library) => library.installedAs !== library.package);

describe("the proof's library versions", () => {
  it('are declared in tests/contract/package.json, exactly the ones the library table names', () => {
    assert.deepEqual(
      proof.dependencies,
      Object.fromEntries(
        [...aliased]
          .sort((a, b) => a.installedAs.localeCompare(b.installedAs))
          .map((library) => [library.installedAs, `npm:${library.package}@${library.version}`]),
      ),
    );
    for (const library of aliased) {
      assert.equal(
        proofLock.packages[`node_modules/${library.installedAs}`]?.version,
        library.version,
        `tests/contract/package-lock.json does not pin ${library.installedAs}`,
      );
    }
  });

  it('are not in the root package, so npm ci for a user installs no vulnerable version', () => {
    const rootDeps = { ...root.dependencies, ...root.devDependencies };
    const aliases = Object.entries(rootDeps).filter(([, spec]) => spec.startsWith('npm:'));
    assert.deepEqual(aliases, [], 'the root package.json installs an aliased library version');
    const vulnerable = libraryAuthorizers.filter((library) => library.vulnerable);
    const installed = Object.entries(rootLock.packages).filter(([path, entry]) =>
      vulnerable.some(
        (library) => path.endsWith(`node_modules/${library.package}`) && entry.version === library.version,
      ),
    );
    assert.deepEqual(
      installed.map(([path, entry]) => `${path}@${entry.version}`),
      [],
      'the root lockfile installs a vulnerable version the proof uses',
    );
  });
});
