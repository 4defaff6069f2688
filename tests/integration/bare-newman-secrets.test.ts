/**
 * QA with bare Newman (README, "QA with bare Newman"): the command the README gives, read from the
 * README itself and run with the real newman CLI against the local stack, leaks no secret: not in the
 * files its reporters write (htmlextra, junit), not in what it prints (cli). The secrets are the
 * environment's: ID, access and refresh tokens, the password, the client secret and the pool-key tokens
 * (the environment `npm run stack` writes holds them all). The README's warning about the json reporter is proven too:
 * it does hold the tokens, so the warning cannot go stale.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { stackQaEnvironment } from '../../local-stack/qa-environment.ts';
import { type AttackerServer, startAttackerServer } from '../../security/attacker-server.ts';
import { poolKeyTokenValues } from '../../security/pool-key-tokens.ts';
import { obtainToken, settingsFromLocalStack } from '../../token-helper/index.ts';
import { useStack } from '../support/stack.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const newmanBin = join(repoRoot, 'node_modules', '.bin', 'newman');
const run = promisify(execFile);

/** The README's command, as arguments: the one `newman run …` line of its bare-Newman section. */
async function readmeCommand(): Promise<string[]> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### QA with bare Newman'));
  const line = /^newman run .+$/m.exec(section)?.[0];
  assert.ok(line, 'the README gives the bare Newman command');
  return line.split(/\s+/).slice(1);
}

/** The README's arguments with the environment and the two export paths pointed at the test's folder. */
function retarget(args: readonly string[], environment: string, folder: string): string[] {
  const out = [...args];
  const replace = (flag: string, value: string) => {
    const index = out.indexOf(flag);
    assert.ok(index >= 0 && index + 1 < out.length, `the README's command has ${flag}`);
    out[index + 1] = value;
  };
  replace('-e', environment);
  replace('--reporter-htmlextra-export', join(folder, 'report.html'));
  replace('--reporter-junit-export', join(folder, 'junit.xml'));
  return out;
}

describe('bare Newman with the reporter settings the README gives', { timeout: 300_000 }, () => {
  const stack = useStack();
  let folder: string;
  let environmentFile: string;
  let secrets: string[];
  let attacker: AttackerServer | undefined;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'bare-newman-'));
    // The environment `npm run stack` writes, made by the function it makes it with.
    const token = await obtainToken(settingsFromLocalStack(stack.get()), { rootDir: repoRoot, write: false });
    attacker = await startAttackerServer();
    const { environment, poolKeyTokens } = stackQaEnvironment(stack.get(), token, attacker);
    const password = stack.get().cognito.password;
    const clientSecret = stack.get().cognito.clientCredentials?.clientSecret;
    assert.deepEqual(
      environment.values.filter((v) => v.key === 'password').map((v) => v.value),
      [password],
      "one password entry, the stack user's",
    );
    environmentFile = join(folder, 'local.postman_environment.json');
    await writeFile(environmentFile, JSON.stringify(environment), { mode: 0o600 });
    secrets = [
      token.idToken,
      ...(token.accessToken ? [token.accessToken] : []),
      ...(token.refreshToken ? [token.refreshToken] : []),
      password,
      ...(clientSecret ? [clientSecret] : []),
      ...poolKeyTokenValues(poolKeyTokens),
    ];
    assert.ok(secrets.length >= 4, 'tokens, password and pool-key tokens to look for');
  });
  after(async () => {
    await attacker?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('writes and prints none of the tokens, the password or the pool-key tokens', async () => {
    const args = retarget(await readmeCommand(), environmentFile, join(folder, 'out'));
    const { stdout, stderr } = await run(newmanBin, args, {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));

    const files = await readdir(join(folder, 'out'));
    assert.deepEqual(files.sort(), ['junit.xml', 'report.html']);
    assert.match(stdout, /GET http:\/\/127\.0\.0\.1:\d+\/dev\/hello/, 'the collection ran');
    const outputs: [string, string][] = [
      ['stdout', stdout],
      ['stderr', stderr],
      ...(await Promise.all(
        files.map(
          async (name): Promise<[string, string]> => [
            name,
            await readFile(join(folder, 'out', name), 'utf8'),
          ],
        ),
      )),
    ];
    for (const [where, text] of outputs) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `${where} holds a secret (${secret.slice(0, 10)}…)`);
      }
    }
  });

  it("the json reporter's file does hold the ID token, as the README warns", async () => {
    const out = join(folder, 'run.json');
    // The reporter writes the run's environment, whatever the run sends: the collection's first folder
    // (one request) shows it as a whole run would, without the 190 other clauses.
    const collection = JSON.parse(
      await readFile(join(repoRoot, 'collections/hello-api.postman_collection.json'), 'utf8'),
    ) as { item: { name: string; item?: unknown[] }[] };
    const firstFolder = collection.item.find((item) => Array.isArray(item.item))?.name;
    assert.ok(firstFolder, 'the collection has a folder');
    await run(
      newmanBin,
      [
        'run',
        'collections/hello-api.postman_collection.json',
        '--folder',
        firstFolder,
        '-e',
        environmentFile,
        '-r',
        'json',
        '--reporter-json-export',
        out,
      ],
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
    ).catch(() => undefined);
    assert.ok(
      (await readFile(out, 'utf8')).includes(secrets[0] ?? '-'),
      'the json reporter left the token out',
    );
  });
});
