/**
 * Writes the generated parts of the docs from the data they describe, between marker comments:
 * - .env.example: every setting of the configuration table (common/config-table.ts);
 * - docs/attack-matrix.md: the clause counts, the attack matrix (security/catalogue.ts) with every
 *   source, and the mutation proof (which weakness and
 *   which real library version each row catches: the catalogue's `catches`, the library table's
 *   measured `expectedToFallTo`).
 * `npm run docs` writes them; `npm run docs -- --check` writes nothing and exits 1 when a file is stale
 * (.ci/run runs it after the tests). Nothing in these tables is typed by hand.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { helloApi } from '../api/routes.ts';
import { type Assertion, DEFAULT_SETTINGS, rowAssertions, UNAUTHORIZED } from '../collections/assertions.ts';
import { generateClauses } from '../collections/generate.ts';
import { parseFlags } from '../common/args.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { runCli } from '../common/cli-error.ts';
import { envExample } from '../common/config-table.ts';
import {
  ATTACKS,
  type AttackRow,
  OPEN_ONLY_WEAKNESSES,
  SOURCES,
  WEAKNESSES,
  type WeaknessId,
} from '../security/catalogue.ts';
import { FACT_IDS, FACTS, type Fact } from '../security/facts.ts';
import { libraryAuthorizers } from '../tests/contract/support/library-authorizers.ts';
import { requestMatrixDoc } from './request-matrix.ts';
import { cell, citation } from './table-cells.ts';

const MATRIX = new URL('./attack-matrix.md', import.meta.url);
const REFERENCE = new URL('./reference.md', import.meta.url);

/** What a set of assertions demands, in a few words. */
function answerWords(assertions: readonly Assertion[]): string {
  const find = <K extends Assertion['check']>(check: K) =>
    assertions.find((assertion): assertion is Extract<Assertion, { check: K }> => assertion.check === check);
  const status = find('status');
  const body = find('body');
  const errorType = find('error-type');
  if (status) {
    if (body?.equals === UNAUTHORIZED && errorType?.equals === 'UnauthorizedException')
      return `${status.equals} Unauthorized`;
    const parts = [String(status.equals)];
    if (body) parts.push(`\`${body.equals}\``);
    parts.push(errorType ? `\`${errorType.equals}\`` : 'error type not asserted');
    if (!body) parts.push('body not asserted');
    return parts.join(', ');
  }
  if (find('status-range')) return 'a 4xx (which one is open), never a 5xx';
  if (find('refused')) return 'never a 2xx, 3xx or 5xx (status and body not asserted)';
  if (find('not-5xx')) return 'never a 5xx (whether it is refused at all is open)';
  return 'nothing';
}

function mustComeBack(row: AttackRow): string {
  const made = rowAssertions(row, undefined, DEFAULT_SETTINGS);
  const words = answerWords(made.assertions);
  const open = [...new Set(made.unasserted.flatMap((assertion) => assertion.facts))].filter(
    (id) => FACTS[id].grade === 'open',
  );
  if (open.length === 0) return words;
  const strict = rowAssertions(row, undefined, { strict: open });
  return `${words}; with \`--strict ${open.join(',')}\`: ${answerWords(strict.assertions)}`;
}

function runsWhere(row: AttackRow): string {
  if (row.built === 'pool-key') return "local target only (needs the pool's private key); skipped elsewhere";
  if (row.built === 'sign-in') return 'everywhere (the genuine access token from the sign-in)';
  if (row.needs?.includes('pool-jwks'))
    return "everywhere (built in the sandbox from the pool's public JWKS)";
  if (row.needs?.includes('other-token'))
    return 'everywhere the access token is at hand (built in the sandbox)';
  return 'everywhere (built in the sandbox)';
}

function matrixTable(): string {
  const clauses = generateClauses(helloApi);
  const attacks = clauses.filter((clause) => clause.kind === 'attack').length;
  const lines = [
    `For the tutorial's API the generator makes **${clauses.length} clauses**, ${attacks} of them the ${ATTACKS.length} rows below sent raw and as \`Bearer <token>\`. ` +
      '`401 Unauthorized` means status 401, body exactly `{"message":"Unauthorized"}`, `Content-Type: application/json`, ' +
      '`x-amzn-ErrorType: UnauthorizedException`, and no trace of the authorized answer. Every row also asserts "never a 5xx". ' +
      'What comes back is what the default settings assert; an open point (docs/reference.md) is asserted only when ' +
      '`npm run contract -- --strict FACT` names its fact, and then as the column says.',
    '',
    '| Row | What it sends in `Authorization` | What must come back | Why it matters | Where it runs | Listed by |',
    '| --- | --- | --- | --- | --- | --- |',
    ...ATTACKS.map(
      (row) =>
        `| \`${row.id}\` | ${cell(row.sends)} | ${cell(mustComeBack(row))} | ${cell(row.why)} | ${cell(runsWhere(row))} | ${cell(row.sources.map(citation).join('; '))} |`,
    ),
  ];
  return lines.join('\n');
}

function weaknessRows(weakness: WeaknessId): string {
  const rows = ATTACKS.filter((row) => row.catches.includes(weakness))
    .map((row) => `\`${row.id}\``)
    .join(', ');
  const openOnly = OPEN_ONLY_WEAKNESSES[weakness];
  return openOnly === undefined
    ? rows
    : `${rows}; **not on the default settings**, only with \`--strict ${openOnly.fact}\`: ${cell(openOnly.reason)}`;
}

function matrixDoc(): string {
  const sources = Object.values(SOURCES).map(
    (entry) => `- **${entry.name || 'CVE'}**: [${entry.title}](${entry.url})`,
  );
  const weaknesses = (Object.keys(WEAKNESSES) as WeaknessId[]).map(
    (weakness) =>
      `| \`${weakness}\` | a gateway that ${cell(WEAKNESSES[weakness])} | ${weaknessRows(weakness)} |`,
  );
  const libraries = libraryAuthorizers.map(
    (library) =>
      `| ${library.package} ${library.version} | ${
        library.vulnerable
          ? cell(library.advisory.join(', '))
          : library.expectedToFallTo.length > 0
            ? 'no advisory: its set-up is weak'
            : 'control (current release)'
      } | ${library.setUp === 'readme' ? 'its README alone; default settings' : "inside the authorizer's claim checks; default settings"} | ${cell(library.verifiesWith)} | ${
        library.expectedToFallTo.length === 0
          ? 'none: passes the whole contract'
          : library.expectedToFallTo.map((id) => `\`${id}\``).join(', ')
      }${library.acceptsGenuineTokens ? '' : '; also refuses the genuine token (its set-up cannot verify RS256)'} |`,
  );
  return [
    'Sources the rows cite:',
    '',
    ...sources,
    '',
    '### Each weakness and the rows that catch it',
    '',
    "The mutation proof runs the whole contract against a gateway with exactly this weakness (the tests' reference verifier, `tests/contract/support/weak-authorizers.ts`) and demands that exactly these rows' clauses fail, raw and as Bearer, and every other clause pass, on the default settings (what `npm run contract` asserts): of these rows, exactly the clauses that assert what the weakness breaks (a refusal, or no 5xx) on firm or likely facts. A weakness every row of which rests on an open fact (a pool-signed token without `exp`, an `iss` array) passes the default settings; it is marked below and proven with `--strict` of that fact alone. Correct gateways that answer differently only on open points (another error type for an expired token, another 4xx for a path variant, another refusal for a pool-signed token with odd claims, other SigV4 complaint text) must pass the default contract with nothing skipped.",
    '',
    '| Weakness | Gateway | Caught by (and only by) |',
    '| --- | --- | --- |',
    ...weaknesses,
    '',
    '### Real published library versions',
    '',
    "Authorizers built on these versions, each called the way its README of that version shows (`tests/contract/support/library-authorizers.ts`). A current library is set up exactly as its README does and nothing else, and judged on the contract's default settings, which assert nothing open: a control must pass it whole, a weak README set-up must fail exactly the rows of its weakness. A library with an advisory runs inside the same claim checks as the Cognito authorizer, so only its own weakness shows, and is judged on the default settings, like the weakened gateways above. The rows are measured: the proof demands exactly these clauses fail.",
    '',
    '| Library | Advisory | Set up, judged with | Called as | Falls to |',
    '| --- | --- | --- | --- | --- |',
    ...libraries,
  ].join('\n');
}

/** docs/reference.md's index of the facts the contract's assertions rest on (security/facts.ts). */
function factIndex(): string {
  return [
    '| Fact | § | Grade | Statement | What `--strict` asserts |',
    '| --- | --- | --- | --- | --- |',
    ...FACT_IDS.map((id) => {
      const fact: Fact = FACTS[id];
      const strict =
        fact.grade !== 'open' ? 'always asserted' : (fact.guess ?? 'nothing: no guess to assert');
      return `| \`${id}\` | [§${fact.section}](#${SECTION_ANCHORS[fact.section] ?? ''}) | ${fact.grade} | ${cell(fact.statement)} | ${cell(strict)} |`;
    }),
  ].join('\n');
}

function replaceBetween(text: string, name: string, body: string, file: string): string {
  const start = `<!-- generated:${name}:start -->`;
  const end = `<!-- generated:${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/** The file as `npm run lint` wants it (Biome formats Markdown tables too), so the check and the lint agree. */
function formatted(text: string, name: string): string {
  const biome = fileURLToPath(new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url));
  return execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${name}`], {
    input: text,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
}

const ENV_EXAMPLE = new URL('../.env.example', import.meta.url);

/** GitHub's anchors of docs/reference.md's numbered sections, read from the file's own headings. */
const SECTION_ANCHORS: Readonly<Record<number, string>> = Object.fromEntries(
  [...readFileSync(REFERENCE, 'utf8').matchAll(/^## (\d+)\. (.+)$/gm)].map((match) => [
    Number(match[1]),
    `${match[1]}-${(match[2] ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9 -]/g, '')
      .replace(/ /g, '-')}`,
  ]),
);

/**
 * Every generated file and its text. A function, called once the flags are read: it runs three
 * generators and two Biome formatters, which `--help` or a wrong flag never needs.
 */
function outputs(): [URL, string][] {
  return [
    [ENV_EXAMPLE, envExample()],
    [
      MATRIX,
      formatted(
        replaceBetween(
          replaceBetween(
            replaceBetween(
              readFileSync(MATRIX, 'utf8'),
              'attack-matrix',
              matrixTable(),
              'docs/attack-matrix.md',
            ),
            'proof',
            matrixDoc(),
            'docs/attack-matrix.md',
          ),
          'request-matrix',
          requestMatrixDoc(),
          'docs/attack-matrix.md',
        ),
        'docs/attack-matrix.md',
      ),
    ],
    [
      REFERENCE,
      formatted(
        replaceBetween(readFileSync(REFERENCE, 'utf8'), 'facts', factIndex(), 'docs/reference.md'),
        'docs/reference.md',
      ),
    ],
  ];
}

const usage = `Usage: npm run docs -- [--check]

Writes the generated parts of the docs from their one source each: the attack matrix
(docs/attack-matrix.md, from security/catalogue.ts and the proof's library table), the fact index of
docs/reference.md (security/facts.ts) and .env.example (common/config-table.ts).
  --check   write nothing; exit 1 if a file is not exactly what would be written

Exit code: 0 written (or, with --check, current); 1 a file is stale (--check) or cannot be written;
2 a flag is wrong.
`;

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    { check: { type: 'boolean' }, help: { type: 'boolean' }, debug: { type: 'boolean' } },
    { command: 'npm run docs --' },
  );
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  const written = outputs();
  if (flags.check) {
    const stale = written
      .filter(([url, text]) => {
        try {
          return readFileSync(url, 'utf8') !== text;
        } catch {
          return true;
        }
      })
      .map(([url]) => relative(process.cwd(), fileURLToPath(url)));
    if (stale.length === 0) return 0;
    process.stderr.write(
      `${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} stale: run \`npm run docs\` to rewrite ${stale.length === 1 ? 'it' : 'them'}.\n`,
    );
    return 1;
  }
  for (const [url, text] of written) await writeFileAtomic(fileURLToPath(url), text, { mode: 0o644 });
  return 0;
}

await runCli(main);
