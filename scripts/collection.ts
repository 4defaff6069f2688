/**
 * `npm run collection -- --api-spec FILE --out PATH`: writes the contract's Postman collection for an
 * API described by API Gateway's OpenAPI 3 export (or, without --api-spec, for api/routes.ts), to
 * import into the Postman app. The file holds no secret: tokens come from the environment.
 */
import { resolve } from 'node:path';
import { readApiSpecFile } from '../api/openapi-export.ts';
import { helloApi } from '../api/routes.ts';
import { isProtected, routeKey } from '../api/spec.ts';
import { DEFAULT_SETTINGS, parseStrict, withRefusalSettings } from '../collections/assertions.ts';
import { renderCollection } from '../collections/collection.ts';
import { generateClauses } from '../collections/generate.ts';
import { parseFlags } from '../common/args.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { runCli, UsageError, UserError } from '../common/cli-error.ts';
import { ATTACKS } from '../security/catalogue.ts';

const usage = `Usage: npm run collection -- --out PATH [--api-spec FILE] [--strict FACTS] [refusal bounds]

Writes the contract's Postman collection (v2.1) to PATH, generated from the API description:
  --api-spec FILE   API Gateway's OpenAPI 3 export of a stage (aws apigateway get-export --export-type oas30
                    --parameters extensions=apigateway); default: the tutorial's api/routes.ts
  --out PATH        where to write the collection (required)
  --strict FACTS    also assert these open facts of docs/reference.md (comma-separated ids, or all), as
                    the project's guess; default: none (what the committed collection asserts)
  --refusal-headers NAMES  headers a refusal may carry beyond API Gateway's own (a deployment's CORS or
                    customised gateway responses), comma-separated; default: none
  --slowdown-factor N, --slowdown-margin-ms MS  a refusal takes at most N × the slowest accepted
                    answer + MS (default 10 and 2500)
`;

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      'api-spec': { type: 'string' },
      out: { type: 'string' },
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
  if (!flags.out)
    throw new UsageError(
      'Flag --out is missing: give the file to write, as in --out my-api.postman_collection.json.',
    );
  const api = flags['api-spec']
    ? await readApiSpecFile(resolve(flags['api-spec']), flags['api-spec'])
    : helloApi;
  const out = resolve(flags.out);
  const settings = withRefusalSettings(parseStrict('--strict', flags.strict) ?? DEFAULT_SETTINGS, {
    refusalHeaders: { source: '--refusal-headers', value: flags['refusal-headers'] },
    slowdownFactor: { source: '--slowdown-factor', value: flags['slowdown-factor'] },
    slowdownMarginMs: { source: '--slowdown-margin-ms', value: flags['slowdown-margin-ms'] },
  });
  const clauses = generateClauses(api, ATTACKS, settings);
  try {
    await writeFileAtomic(out, renderCollection(api, clauses), { mode: 0o644 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(
      `Cannot write the collection to ${flags.out} (${code}): choose a writable path with --out.`,
      {
        cause: error,
      },
    );
  }
  const unprotected = api.routes.filter((route) => !isProtected(route));
  process.stdout.write(
    [
      `Wrote ${flags.out}: ${clauses.length} clauses for ${api.routes.length} methods of ${api.name} (stage ${api.stage}).`,
      ...(unprotected.length > 0
        ? [
            `Without an authorizer: ${unprotected.map(routeKey).join(', ')}; their coverage checks fail unless allow_unprotected names them.`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  return 0;
}

await runCli(main);
