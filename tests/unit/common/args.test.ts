/**
 * The one reader of numeric and enumerated values: one message shape for every flag and
 * setting, `<where> must be <what>, not "<value>".`, exit code 2, and a negative number after a flag read
 * as that flag's value, so `--iterations -1` names the range instead of saying the flag "needs a value".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decimalNumber, listOf, oneOf, parseFlags, wholeNumber } from '../../../common/args.ts';
import { UsageError } from '../../../common/cli-error.ts';

const context = { command: 'npm run contract --' };

function rejects(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `a UsageError, got ${String(error)}`);
    assert.equal(error.message, message);
    assert.equal(error.exitCode, 2);
    return true;
  });
}

describe('parseFlags with a negative number', () => {
  test('reads "--iterations -1" as the value -1, so the range check can name the range', () => {
    const flags = parseFlags(
      ['--iterations', '-1', '--force'],
      { iterations: { type: 'string' }, force: { type: 'boolean' } },
      context,
    );
    assert.equal(flags.iterations, '-1');
    assert.equal(flags.force, true);
  });

  test('still says a flag needs a value when what follows is another flag', () => {
    rejects(
      () =>
        parseFlags(
          ['--iterations', '--force'],
          { iterations: { type: 'string' }, force: { type: 'boolean' } },
          context,
        ),
      'Flag --iterations needs a value, as in --iterations VALUE: run `npm run contract -- --help` for the flags it accepts.',
    );
  });

  test('leaves a negative number after a boolean flag a stray argument', () => {
    assert.throws(() => parseFlags(['--force', '-1'], { force: { type: 'boolean' } }, context), UsageError);
  });
});

describe('wholeNumber', () => {
  const range = { min: 1, max: 10_000 };
  test('absent is undefined (the caller default applies); in range is the number', () => {
    assert.equal(wholeNumber('--iterations', undefined, range), undefined);
    assert.equal(wholeNumber('--iterations', '1', range), 1);
    assert.equal(wholeNumber('--iterations', '10000', range), 10_000);
  });
  for (const value of ['0', '-1', '10001', '1.5', 'three', '', ' 3', '0x10', '1e3']) {
    test(`refuses ${JSON.stringify(value)} naming the range`, () => {
      rejects(
        () => wholeNumber('--iterations', value, range),
        `Flag --iterations must be a whole number from 1 to 10000, not ${JSON.stringify(value)}.`,
      );
    });
  }
  test('names an environment setting by its variable, with the note after the range', () => {
    rejects(
      () => wholeNumber('LOCAL_API_PORT', '70000', { min: 0, max: 65_535, note: '(0 picks a free port)' }),
      'LOCAL_API_PORT must be a whole number from 0 to 65535 (0 picks a free port), not "70000".',
    );
    assert.equal(wholeNumber('LOCAL_API_PORT', '0', { min: 0, max: 65_535 }), 0);
  });
});

describe('decimalNumber', () => {
  const range = { min: 0.1, max: 120, unit: 'seconds' };
  test('reads decimals in range', () => {
    assert.equal(decimalNumber('--timeout', '0.5', range), 0.5);
    assert.equal(decimalNumber('--timeout', '120', range), 120);
  });
  for (const value of ['0', '0.05', '121', '5s', '-1', '.5']) {
    test(`refuses ${JSON.stringify(value)} naming the unit and range`, () => {
      rejects(
        () => decimalNumber('--timeout', value, range),
        `Flag --timeout must be a number of seconds from 0.1 to 120, not ${JSON.stringify(value)}.`,
      );
    });
  }
});

describe('oneOf and listOf', () => {
  const REPORTERS = ['cli', 'htmlextra', 'junit'] as const;
  test('oneOf gives the typed choice or names the choices', () => {
    const chosen: 'cli' | 'htmlextra' | 'junit' | undefined = oneOf('--reporter', 'junit', REPORTERS);
    assert.equal(chosen, 'junit');
    rejects(
      () => oneOf('--reporter', 'pdf', REPORTERS),
      'Flag --reporter must be one of cli, htmlextra, junit, not "pdf".',
    );
  });
  test('listOf reads a comma-separated list once each, spaces allowed', () => {
    assert.deepEqual(listOf('--reporters', 'junit, cli,junit', REPORTERS), ['junit', 'cli']);
    assert.equal(listOf('--reporters', undefined, REPORTERS), undefined);
  });
  test('listOf names the entries that are not choices, an empty one included', () => {
    rejects(
      () => listOf('--reporters', 'cli,pdf', REPORTERS),
      'Flag --reporters must be a comma-separated list of cli, htmlextra, junit, not "cli,pdf" (pdf is not one of them).',
    );
    rejects(
      () => listOf('--reporters', 'cli,,xml', REPORTERS),
      'Flag --reporters must be a comma-separated list of cli, htmlextra, junit, not "cli,,xml" ((an empty entry), xml are not one of them).',
    );
    rejects(
      () => listOf('--reporters', '', REPORTERS),
      'Flag --reporters must be a comma-separated list of cli, htmlextra, junit, not "" ((an empty entry) is not one of them).',
    );
  });
});
