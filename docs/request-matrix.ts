/**
 * The request catalogue's table for docs/attack-matrix.md (docs/build.ts writes it between its markers):
 * every row with what it sends, what must come back, the docs/reference.md §13 fact and grade behind
 * that, where it runs, its sources, and the weakened gateways of the mutation proof that must fail it.
 */

import { FACTS } from '../security/facts.ts';
import {
  REQUEST_ROWS,
  REQUEST_WEAKNESSES,
  type RequestRow,
  type RequestWeaknessId,
} from '../security/request-catalogue.ts';
import { cell, citation } from './table-cells.ts';

function mustComeBack(row: RequestRow): string {
  switch (row.expect) {
    case 'unauthorized':
      return '401 Unauthorized';
    case 'accepted':
      return "the method's authorized answer";
    case 'not-integration':
      return 'never let through, never the integration (which 4xx: `--strict request-variant-status`)';
  }
}

function when(row: RequestRow): string {
  const order = row.sequence ? ` (sequence \`${row.sequence}\`: never reordered)` : '';
  return `${row.phase}${order}`;
}

export function requestMatrixDoc(): string {
  const weaknesses = (Object.keys(REQUEST_WEAKNESSES) as RequestWeaknessId[]).map((weakness) => {
    const rows = REQUEST_ROWS.filter((row) => row.catches.includes(weakness)).map((row) => `\`${row.id}\``);
    return `| \`request:${weakness}\` | a gateway that ${cell(REQUEST_WEAKNESSES[weakness])} | ${rows.join(', ') || 'see the note below'} |`;
  });
  return [
    'Each row runs for every protected method (or every resource with one) in `npm run contract`, bare Newman and the Postman app; a row that cannot run somewhere is skipped there with why.',
    '',
    '| Row | Sends | Must come back | Fact (docs/reference.md) | When | Where it is skipped | Listed by |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...REQUEST_ROWS.map(
      (row) =>
        `| \`${row.id}\` | ${cell(row.sends)} | ${cell(mustComeBack(row))} | ${cell(row.facts.map((id) => `\`${id}\` (${FACTS[id].grade})`).join(', '))} | ${cell(when(row))} | ${cell(row.needs ? `without ${row.needs}` : 'nowhere')} | ${cell(row.sources.map(citation).join('; '))} |`,
    ),
    '',
    "The weakened gateways (`tests/contract/support/request-weaknesses.ts`) and the rows meant to catch them. A gateway that keeps state (`session-cookie`, `response-cache`) is also caught by every later request without a token to the protected method (the Host and X-Forwarded-For rows); `refusal-oracle` by every clause that asserts a 401; `slow-refusal` by the catalogue's `kid-command-injection` rows, through the slowdown bound.",
    '',
    '| Variant | Gateway | Rows |',
    '| --- | --- | --- |',
    ...weaknesses,
  ].join('\n');
}
