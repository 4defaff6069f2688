/**
 * A collection of a few of an API's clauses, for a test whose subject is not the clauses themselves (a
 * sign-in flow, a fault, whether the CLI accepts a collection with its description): every clause of the
 * whole contract would cost Newman's per-clause time (docs/benchmarks.md) and prove nothing more there.
 * The collection is rendered from the chosen clauses as `npm run collection` renders all of them.
 */
import { writeFile } from 'node:fs/promises';
import type { ApiSpec } from '../../api/spec.ts';
import type { Clause } from '../../collections/clause.ts';
import { renderCollection } from '../../collections/collection.ts';
import { generateClauses } from '../../collections/generate.ts';
import { ATTACKS, type AttackRow } from '../../security/catalogue.ts';

/** The environment check, the no-header refusal and the genuine token's greeting: one of each answer. */
export const FEW_KINDS: readonly Clause['kind'][] = ['environment', 'no-header', 'accepted'];

/** `api`'s clauses of the given kinds. */
export function fewClauses(api: ApiSpec, kinds: readonly Clause['kind'][] = FEW_KINDS): Clause[] {
  return generateClauses(api).filter((clause) => kinds.includes(clause.kind));
}

/** Writes the collection of `api`'s clauses of the given kinds to `path`; returns the clauses kept. */
export async function writeFewClauses(
  path: string,
  api: ApiSpec,
  kinds: readonly Clause['kind'][] = FEW_KINDS,
): Promise<readonly Clause[]> {
  const kept = fewClauses(api, kinds);
  await writeFile(path, renderCollection(api, kept));
  return kept;
}

/**
 * The first row of each way of building and refusing a token (what it is built from, its defects, the
 * token kind it applies to, what it needs): 12 of the 75 rows. For a contract whose subject is the API
 * description (how it is read, which methods get which clauses) or a report, not the catalogue: every
 * way a row is made and refused still reaches every authorizer configuration, and every row runs whole
 * in the tutorial's, the export's and the proofs' contracts.
 */
export function oneRowPerKind(): AttackRow[] {
  const seen = new Set<string>();
  return ATTACKS.filter((row) => {
    const kind = [row.built, ...row.defects, row.appliesTo ?? '', ...(row.needs ?? [])].join('|');
    if (seen.has(kind)) return false;
    seen.add(kind);
    return true;
  });
}
