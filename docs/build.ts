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
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { helloApi } from '../api/routes.ts';
import { generateClauses } from '../collections/generate.ts';
import { envExample } from '../common/config-table.ts';
import {
  ATTACKS,
  type AttackRow,
  SOURCES,
  type SourceRef,
  WEAKNESSES,
  type WeaknessId,
} from '../security/catalogue.ts';
import { libraryAuthorizers } from '../tests/contract/support/library-authorizers.ts';

const MATRIX = new URL('./attack-matrix.md', import.meta.url);

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const SOURCE_NAMES: Readonly<Record<string, string>> = {
  jwt_tool: 'jwt_tool',
  portswigger: 'PortSwigger',
  rfc8725: 'RFC 8725',
  wstg: 'OWASP WSTG',
  rfc7515: 'RFC 7515',
  rfc7519: 'RFC 7519',
  cognito: 'AWS docs',
  cve: '',
};

function source(ref: SourceRef): string {
  const name = SOURCE_NAMES[ref.source] ?? ref.source;
  return name === '' ? ref.detail : `${name}: ${ref.detail}`;
}

function mustComeBack(row: AttackRow): string {
  switch (row.refusal) {
    case 'unauthorized':
      return '401 Unauthorized';
    case 'expired':
      return '401 `{"message":"The incoming token has expired"}`';
    case 'client-error':
      return 'any 4xx (which one is open), never a 5xx';
    case 'open':
      return 'never a 2xx or 5xx; 401 Unauthorized where `open_points` is `refuse` (the local target)';
  }
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
      '`x-amzn-ErrorType: UnauthorizedException`, and no trace of the authorized answer.',
    '',
    '| Row | What it sends in `Authorization` | What must come back | Why it matters | Where it runs | Listed by |',
    '| --- | --- | --- | --- | --- | --- |',
    ...ATTACKS.map(
      (row) =>
        `| \`${row.id}\` | ${cell(row.sends)} | ${cell(mustComeBack(row))} | ${cell(row.why)} | ${cell(runsWhere(row))} | ${cell(row.sources.map(source).join('; '))} |`,
    ),
  ];
  return lines.join('\n');
}

function weaknessRows(weakness: WeaknessId): string {
  return ATTACKS.filter((row) => row.catches.includes(weakness))
    .map((row) => `\`${row.id}\``)
    .join(', ');
}

function matrixDoc(): string {
  const sources = Object.entries(SOURCES).map(
    ([id, entry]) => `- **${SOURCE_NAMES[id] || 'CVE'}**: [${entry.title}](${entry.url})`,
  );
  const weaknesses = (Object.keys(WEAKNESSES) as WeaknessId[]).map(
    (weakness) =>
      `| \`${weakness}\` | a gateway that ${cell(WEAKNESSES[weakness])} | ${weaknessRows(weakness)} |`,
  );
  const libraries = libraryAuthorizers.map(
    (library) =>
      `| ${library.package} ${library.version} | ${library.vulnerable ? cell(library.advisory.join(', ')) : 'control (current release)'} | ${cell(library.verifiesWith)} | ${
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
    "The mutation proof runs the whole contract against a gateway with exactly this weakness (the tests' reference verifier, `tests/contract/support/weak-authorizers.ts`) and demands that exactly these rows' clauses fail, raw and as Bearer, and every other clause pass.",
    '',
    '| Weakness | Gateway | Caught by (and only by) |',
    '| --- | --- | --- |',
    ...weaknesses,
    '',
    '### Real published library versions',
    '',
    'Authorizers built on these versions, each called the way its README of that version shows (`tests/contract/support/library-authorizers.ts`), with the same claim checks around it as the Cognito authorizer applies. The rows are measured: the proof demands exactly these clauses fail.',
    '',
    '| Library | Advisory | Called as | Falls to |',
    '| --- | --- | --- | --- |',
    ...libraries,
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

const outputs: [URL, string][] = [
  [ENV_EXAMPLE, envExample()],
  [
    MATRIX,
    formatted(
      replaceBetween(
        replaceBetween(readFileSync(MATRIX, 'utf8'), 'attack-matrix', matrixTable(), 'docs/attack-matrix.md'),
        'proof',
        matrixDoc(),
        'docs/attack-matrix.md',
      ),
      'docs/attack-matrix.md',
    ),
  ],
];

if (process.argv.includes('--check')) {
  const stale = outputs
    .filter(([url, text]) => {
      try {
        return readFileSync(url, 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([url]) => relative(process.cwd(), fileURLToPath(url)));
  if (stale.length > 0) {
    console.error(
      `${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} stale: run \`npm run docs\` to rewrite ${stale.length === 1 ? 'it' : 'them'}.`,
    );
    process.exitCode = 1;
  }
} else {
  for (const [url, text] of outputs) writeFileSync(url, text);
}
