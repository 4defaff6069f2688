/**
 * Whole contract runs in a process of their own, for the secret-hygiene test: each mode named, in
 * order, calls runContract in-process (learning the live tokens through onToken and the password from
 * the stack); the secrets of every run, and the files under the root after it, go to the file named by
 * the caller (outside the scanned folder), and otherwise the process prints only what the runs print,
 * each run's output after a marker line (`MARKER` and the mode) on stdout and on stderr. The test reads
 * this process's real stdout and stderr, so nothing that reaches file descriptors 1 and 2 can escape the
 * scan, and the test runner's own output is not disturbed. One process for the three runs: each process
 * of its own cost a Node start and the run's module load again.
 *
 * Usage: node --import ./tests/support/load-typescript.mjs hygiene-run.ts <rootDir> <secretsFile> <local|echo|aws-secret>...
 */

import { writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { runContract } from '../../../contract-runner/run-contract.ts';
import { type LocalStack, startStack } from '../../../local-stack/stack.ts';
import type { TokenResult } from '../../../token-helper/index.ts';
import { type GatewayParts, runContractWith } from '../../support/weakened-stack.ts';
import { filesUnder } from './contract-process.ts';
import { MARKER, MODES, type Mode } from './hygiene-modes.ts';

const HYGIENE_CLIENT_SECRET = 'hygieneclientsecret0123456789abcdefghijklmnopqrstu';

/** Puts the Authorization header into every answer's body, so failures and HTML bodies carry the token. */
const echoAuthorization: GatewayParts = {
  server: {
    finish: (answer, request) => {
      const body = Buffer.from(JSON.stringify({ echoed: request.headers.authorization ?? '' }));
      return { ...answer, headers: { ...answer.headers, 'Content-Length': String(body.length) }, body };
    },
  },
};

async function main(): Promise<void> {
  const [rootDir, secretsFile, ...modes] = process.argv.slice(2);
  if (
    !rootDir ||
    !secretsFile ||
    modes.length === 0 ||
    !modes.every((mode) => MODES.includes(mode as Mode))
  ) {
    throw new Error('usage: hygiene-run.ts <rootDir> <secretsFile> <local|echo|aws-secret>...');
  }
  const runs: Record<string, unknown> = {};
  for (const mode of modes) {
    writeSync(1, `${MARKER}${mode}\n`);
    writeSync(2, `${MARKER}${mode}\n`);
    runs[mode] = { ...(await hygieneRun(mode as Mode, rootDir)), written: await filesUnder(rootDir) };
  }
  await writeFile(secretsFile, JSON.stringify(runs), { mode: 0o600 });
}

async function hygieneRun(mode: Mode, rootDir: string): Promise<object> {
  let token: TokenResult | undefined;
  let stack: LocalStack | undefined;
  const onToken = (live: TokenResult) => {
    token = live;
  };
  let result: Awaited<ReturnType<typeof runContract>>;
  let password: string;
  let clientSecret: string | undefined;
  if (mode === 'aws-secret') {
    // The emulator as "AWS": it never checks SECRET_HASH, so a configured client secret signs in, and
    // the run carries a real client secret through every layer that could print it.
    const cognitoStack = await startStack();
    try {
      const { cognito } = cognitoStack;
      password = cognito.password;
      clientSecret = HYGIENE_CLIENT_SECRET;
      result = await runContractWith(
        {
          target: 'aws',
          rootDir,
          force: true,
          settings: {
            target: 'aws',
            apiUrl: cognitoStack.apiUrl,
            region: cognito.region,
            userPoolId: cognito.userPoolId,
            clientId: cognito.clientId,
            clientSecret,
            cognitoEndpoint: cognito.endpoint,
            username: cognito.username,
            password,
            issuer: cognito.issuer,
          },
        },
        { onToken },
      );
    } finally {
      await cognitoStack.stop();
    }
  } else {
    result = await runContractWith(
      {
        target: 'local',
        rootDir,
      },
      {
        onToken,
        onStack: (started) => {
          stack = started;
        },
        ...(mode === 'echo' ? { parts: echoAuthorization } : {}),
      },
    );
    password = stack?.cognito.password ?? '';
  }
  return {
    passed: result.passed,
    files: result.files,
    secrets: {
      'id token': token?.idToken,
      'id token signature': token?.idToken.split('.')[2],
      'access token': token?.accessToken,
      'access token signature': token?.accessToken?.split('.')[2],
      'refresh token': token?.refreshToken,
      password,
      ...(clientSecret ? { 'client secret': clientSecret } : {}),
    },
  };
}

await main();
