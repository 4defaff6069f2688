/**
 * A collection of a few of an API's clauses, for a test whose subject is not the clauses themselves (a
 * sign-in flow, a fault, whether the CLI accepts a collection with its description): every clause of the
 * whole contract would cost Newman's per-clause time (docs/benchmarks.md) and prove nothing more there.
 * The collection is rendered from the chosen clauses as `npm run collection` renders all of them.
 */
import { writeFile } from 'node:fs/promises';
import type { ApiSpec } from '../../../api/spec.ts';
import type { Clause } from '../../../collections/clause.ts';
import { renderCollection } from '../../../collections/collection.ts';
import { generateClauses } from '../../../collections/generate.ts';

/** The environment check, the no-header refusal and the genuine token's greeting: one of each answer. */
export const FEW_KINDS: readonly Clause['kind'][] = ['environment', 'no-header', 'accepted'];

/** Writes the collection of `api`'s clauses of the given kinds to `path`; returns the clauses kept. */
export async function writeFewClauses(
  path: string,
  api: ApiSpec,
  kinds: readonly Clause['kind'][] = FEW_KINDS,
): Promise<readonly Clause[]> {
  const kept = generateClauses(api).filter((clause) => kinds.includes(clause.kind));
  await writeFile(path, renderCollection(api, kept));
  return kept;
}
