/**
 * Runs infra's offline template and parity tests inside the root `npm test`. aws-cdk-lib lives in
 * infra/node_modules (so the root `npm ci` stays lean); without that install the tests are reported as
 * SKIPPED with the command that installs it, never as passed. In CI a missing install is a failure.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const INSTALL = 'run npm ci --prefix infra';
const infraDir = new URL('../../infra/', import.meta.url);
const installed = existsSync(fileURLToPath(new URL('node_modules/aws-cdk-lib/package.json', infraDir)));

if (!installed && process.env.CI === 'true') {
  test('infra template tests', () => {
    throw new Error(`aws-cdk-lib is not installed in infra/ on CI: ${INSTALL} before npm test.`);
  });
} else if (!installed) {
  test('infra template tests', { skip: INSTALL }, () => undefined);
} else {
  // Started before the suites load (each synthesizes at load): the check's process runs meanwhile.
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  const checked = new Promise<string | undefined>((resolve) => {
    // infra/tsconfig.json keeps incremental build info in infra/node_modules/.cache.
    execFile(process.execPath, [tsc, '--noEmit', '-p', fileURLToPath(infraDir)], (error, stdout, stderr) =>
      resolve(error ? `${stdout}${stderr}` || String(error) : undefined),
    );
  });
  test('infra type-checks against aws-cdk-lib (the root tsc leaves infra/ to this check)', async () => {
    const failure = await checked;
    if (failure !== undefined) throw new Error(`tsc -p infra failed:\n${failure}`);
  });
  // The suites register their tests with this process's runner as they load. The URL is built at run
  // time so the root tsc does not follow it into files that import aws-cdk-lib.
  const testDir = new URL('test/', infraDir);
  for (const file of readdirSync(testDir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()) {
    await import(new URL(file, testDir).href);
  }
}
