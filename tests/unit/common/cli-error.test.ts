import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { parseFlags } from '../../../common/args.ts';
import { runCli, UsageError, UserError } from '../../../common/cli-error.ts';

function capture() {
  let text = '';
  return { stderr: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

afterEach(() => {
  process.exitCode = 0;
});

test('a UserError prints only its message, on one line, with exit code 1', async () => {
  const out = capture();
  const code = await runCli(
    async () => {
      throw new UserError('Cognito rejected the password:\n check CONTRACT_PASSWORD.');
    },
    { argv: [], stderr: out.stderr },
  );
  assert.equal(code, 1);
  assert.equal(out.text(), 'Cognito rejected the password: check CONTRACT_PASSWORD.\n');
});

test('a UsageError exits with 2', async () => {
  const out = capture();
  const code = await runCli(
    async () => {
      throw new UsageError('Unknown flag --x: run it with --help.');
    },
    { argv: [], stderr: out.stderr },
  );
  assert.equal(code, 2);
  assert.equal(process.exitCode, 2);
});

test('an unexpected error is one line with a --debug hint and no stack', async () => {
  const out = capture();
  const code = await runCli(
    async () => {
      throw new TypeError('boom');
    },
    { argv: [], stderr: out.stderr },
  );
  assert.equal(code, 1);
  assert.equal(
    out.text(),
    'Unexpected failure (TypeError: boom): re-run with --debug for the stack trace.\n',
  );
});

test('--debug adds the stack trace and the cause', async () => {
  const out = capture();
  await runCli(
    async () => {
      throw new UserError('It failed: fix it.', { cause: new Error('root cause') });
    },
    { argv: ['--debug'], stderr: out.stderr },
  );
  assert.match(out.text(), /^It failed: fix it\.\nUserError: It failed/);
  assert.match(out.text(), /Caused by:\nError: root cause\n\s+at /);
});

test('success returns what main returned', async () => {
  assert.equal(await runCli(async () => 0, { argv: [] }), 0);
});

const FLAGS = { out: { type: 'string' }, force: { type: 'boolean' } } as const;
const context = { command: 'npm run token --' };

test('flags parse strictly into typed values', () => {
  assert.deepEqual(
    { ...parseFlags(['--out', 'x.json', '--force'], FLAGS, context) },
    { out: 'x.json', force: true },
  );
});

for (const [argv, expected] of [
  [
    ['--forse'],
    'Unknown flag --forse (did you mean --force?): run `npm run token -- --help` for the flags it accepts.',
  ],
  [['--zzzzzz=1'], 'Unknown flag --zzzzzz: run `npm run token -- --help` for the flags it accepts.'],
  [
    ['--out'],
    'Flag --out needs a value, as in --out VALUE: run `npm run token -- --help` for the flags it accepts.',
  ],
  [
    ['--force=yes'],
    'Flag --force takes no value (write --force alone): run `npm run token -- --help` for the flags it accepts.',
  ],
  [
    ['stray'],
    'Unexpected argument "stray" (every setting is a --flag): run `npm run token -- --help` for the flags it accepts.',
  ],
] as const) {
  test(`${argv.join(' ')} is one sentence with the fix`, () => {
    assert.throws(
      () => parseFlags(argv, FLAGS, context),
      (error: unknown) => error instanceof UsageError && error.message === expected && error.exitCode === 2,
    );
  });
}
