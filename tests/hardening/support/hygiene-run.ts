/**
 * A whole contract run in a process of its own, for the secret-hygiene test: it calls runContract
 * in-process (learning the live tokens through onToken and the password from the stack), writes those
 * secrets to the file named by the caller (outside the scanned folder), and otherwise prints only what
 * the run prints. The test reads this process's real stdout and stderr, so nothing that reaches file
 * descriptors 1 and 2 can escape the scan, and the test runner's own output is not disturbed.
 *
 * Usage: node --import tsx hygiene-run.ts <local|echo|aws-secret> <rootDir> <secretsFile>
 */
import { writeFile } from 'node:fs/promises';
import type { runContract } from '../../../contract-runner/run-contract.ts';
import { type LocalStack, startStack } from '../../../local-stack/stack.ts';
import type { TokenResult } from '../../../token-helper/index.ts';
import { type GatewayParts, runContractWith } from '../../support/weakened-stack.ts';

export const HYGIENE_CLIENT_SECRET = 'hygieneclientsecret0123456789abcdefghijklmnopqrstu';

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
  const [mode, rootDir, secretsFile] = process.argv.slice(2);
  if (!rootDir || !secretsFile || !['local', 'echo', 'aws-secret'].includes(mode ?? '')) {
    throw new Error('usage: hygiene-run.ts <local|echo|aws-secret> <rootDir> <secretsFile>');
  }
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
        onStackStarted: (started) => {
          stack = started;
        },
      },
      { onToken, ...(mode === 'echo' ? { parts: echoAuthorization } : {}) },
    );
    password = stack?.cognito.password ?? '';
  }
  await writeFile(
    secretsFile,
    JSON.stringify({
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
    }),
    { mode: 0o600 },
  );
}

await main();
