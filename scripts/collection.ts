/**
 * `npm run collection`: writes the contract's Postman collection, the export QA import into the Postman
 * app. Without flags it writes collections/hello-api.postman_collection.json from api/routes.ts with
 * the default settings; `--api-spec FILE --out PATH` writes one for an API described by API Gateway's
 * OpenAPI 3 export. `--check` writes nothing and exits 1 when the file differs from what would be
 * written. `npm run contract` never reads this file: it generates the same collection in memory.
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { poolLines } from '../api/pools.ts';
import { apiFromSettings } from '../api/read-description.ts';
import { helloApi } from '../api/routes.ts';
import { isProtected } from '../api/spec.ts';
import { allowListKey } from '../api/surface.ts';
import { DEFAULT_SETTINGS, parseStrict, withRefusalSettings } from '../collections/assertions.ts';
import { COMMITTED_COLLECTION, renderCollection } from '../collections/collection.ts';
import { generateContract } from '../collections/generate.ts';
import { matrixSetting } from '../collections/plan.ts';
import { parseFlags } from '../common/args.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { runCli, UsageError } from '../common/cli-error.ts';
import { processEnv } from '../common/config-table.ts';
import { plural } from '../common/plural.ts';
import { ATTACKS } from '../security/catalogue.ts';

const usage = `Usage: npm run collection -- [--check] [--api-spec FILE [--stage NAME] [--api-id ID] --out PATH] [--strict FACTS] [refusal bounds]

Writes the contract's Postman collection (v2.1), generated from the API description, for the Postman app:
  (no flag)         collections/hello-api.postman_collection.json from api/routes.ts
  --api-spec FILE   an API Gateway export (OpenAPI 3 or Swagger 2, JSON or YAML), a SAM or CloudFormation
                    template (cdk synth output); needs --out
  --stage NAME      the stage, for a description that names none (CONTRACT_API_STAGE)
  --api-id ID       the REST API's logical id, in a template that defines several (CONTRACT_API_ID)
  --out PATH        where to write the collection
  --matrix MODE     planned (default): the whole attack catalogue once per authorizer, a fixed sample on
                    the other methods behind it; full: on every protected method (CONTRACT_MATRIX)
  --pool POOL       when the authorizers name several user pools, the one whose methods are tested (its
                    ARN, id or reference, or an authorizer's name; CONTRACT_POOL); default: the pool
                    protecting the most methods; the others' clauses are generated skipped
  --strict FACTS    also assert these open facts of docs/reference.md (comma-separated ids, or all), as
                    the project's guess; default: none (what the committed collection asserts)
  --refusal-headers NAMES  headers a refusal may carry beyond API Gateway's own (a deployment's CORS or
                    customised gateway responses), comma-separated; default: none
  --slowdown-factor N, --slowdown-margin-ms MS  a refusal takes at most N × the slowest accepted
                    answer + MS (default 10 and 2500)
  --check           write nothing; exit 1 if the file is not exactly what would be written

Exit code: 0 written (or, with --check, current); 1 --check found the file stale, or it cannot be
written; 2 a flag or the --api-spec file is wrong.
`;

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      'api-spec': { type: 'string' },
      stage: { type: 'string' },
      'api-id': { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean' },
      matrix: { type: 'string' },
      pool: { type: 'string' },
      strict: { type: 'string' },
      'refusal-headers': { type: 'string' },
      'slowdown-factor': { type: 'string' },
      'slowdown-margin-ms': { type: 'string' },
      help: { type: 'boolean' },
      debug: { type: 'boolean' },
    },
    { command: 'npm run collection --' },
  );
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (flags['api-spec'] && !flags.out)
    throw new UsageError(
      'Flag --out is missing: give the file to write, as in --out my-api.postman_collection.json.',
    );
  // Only the flag names the description here: CONTRACT_API_SPEC, meant for a run, must not change what
  // the committed collection (the default --out) is compared with.
  const api =
    (await apiFromSettings({
      specPath: flags['api-spec'] || undefined,
      baseDir: process.cwd(),
      flags,
      env: processEnv(),
    })) ?? helloApi;
  for (const note of api.notes ?? []) process.stderr.write(`${note}\n`);
  const matrix = matrixSetting(flags.matrix, processEnv());
  const out = flags.out ? resolve(flags.out) : fileURLToPath(COMMITTED_COLLECTION);
  const shown = flags.out ?? relative(process.cwd(), out);
  const settings = withRefusalSettings(parseStrict('--strict', flags.strict) ?? DEFAULT_SETTINGS, {
    refusalHeaders: { source: '--refusal-headers', value: flags['refusal-headers'] },
    slowdownFactor: { source: '--slowdown-factor', value: flags['slowdown-factor'] },
    slowdownMarginMs: { source: '--slowdown-margin-ms', value: flags['slowdown-margin-ms'] },
  });
  const { clauses, plan } = generateContract(api, ATTACKS, settings, matrix);
  const text = renderCollection(api, clauses);
  if (flags.check) {
    const committed = await readFile(out, 'utf8').catch(() => undefined);
    if (committed === text) return 0;
    process.stderr.write(
      `${shown} is ${committed === undefined ? 'missing' : 'stale'}: run \`npm run collection${flags.out ? ` -- ${flags['api-spec'] ? `--api-spec ${flags['api-spec']} ` : ''}--out ${flags.out}` : ''}\` to write it.\n`,
    );
    return 1;
  }
  try {
    await writeFileAtomic(out, text, { mode: 0o644 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    // A path the user gave: a usage mistake, exit 2 like every other command's unwritable --out.
    throw new UsageError(
      `Cannot write the collection to ${shown} (${code}): choose a writable path with --out.`,
      {
        cause: error,
      },
    );
  }
  const unprotected = [...new Set(api.routes.filter((route) => !isProtected(route)).map(allowListKey))];
  process.stdout.write(
    [
      `Wrote ${shown}: ${plural(clauses.length, 'clause')} for ${plural(api.routes.length, 'method')} of ${api.name} (stage ${api.stage}).`,
      `Attack matrix: ${plan.why}.`,
      ...poolLines(plan.pool),
      ...(unprotected.length > 0
        ? [
            `Not behind Cognito: ${unprotected.join(', ')}; their coverage checks fail unless allow_unprotected names them.`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  return 0;
}

await runCli(main);
