/**
 * The configuration table (common/config-table.ts) is the one list of what the commands read from
 * their environment: every environment read in product code names a variable the table declares, every
 * entry is read somewhere, and no secret has a flag. Product code is every tracked .ts and .mjs file
 * outside tests/ (the tests set variables for the processes they start; they are not the product).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_TABLE, type ConfigEntry, type ConfigName, envExample } from '../../../common/config-table.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const TABLE_FILE = 'common/config-table.ts';

function productFiles(): { path: string; text: string }[] {
  return execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.mjs'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((path) => path !== '' && !path.startsWith('tests/') && !path.startsWith('infra/test/'))
    .map((path) => ({ path, text: readFileSync(join(repoRoot, path), 'utf8') }));
}

const names = new Set(Object.keys(CONFIG_TABLE));
const entries = Object.entries(CONFIG_TABLE) as [ConfigName, ConfigEntry][];

describe('the configuration table', () => {
  it('declares every variable product code reads from an environment', () => {
    const undeclared: string[] = [];
    for (const { path, text } of productFiles()) {
      // process.env.NAME, env.NAME, env['NAME'] and the typed readers' configValue(env, 'NAME').
      const reads = [
        ...text.matchAll(/\bprocess\.env\.([A-Za-z_][A-Za-z0-9_]*)/g),
        ...text.matchAll(/\b(?:env|Env|settings)\.([A-Z][A-Z0-9_]{2,})\b/g),
        ...text.matchAll(/\benv\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\]/g),
      ].map((match) => match[1] ?? '');
      for (const name of reads) if (!names.has(name)) undeclared.push(`${path}: ${name}`);
    }
    assert.deepEqual(undeclared, [], 'read but not in common/config-table.ts: add an entry there');
  });

  it('is the only place that indexes process.env with a computed name', () => {
    const dynamic = productFiles()
      .filter(({ path, text }) => path !== TABLE_FILE && /\bprocess\.env\s*\[/.test(text))
      .map(({ path }) => path);
    assert.deepEqual(dynamic, [], 'read a setting with configValue(env, NAME) from common/config-table.ts');
  });

  it('has no entry nothing reads', () => {
    const others = productFiles()
      .filter(({ path }) => path !== TABLE_FILE)
      .map(({ text }) => text)
      .join('\n');
    const unread = [...names].filter((name) => !new RegExp(`['".]${name}\\b`).test(others));
    assert.deepEqual(unread, [], 'declared in common/config-table.ts but read nowhere: remove the entry');
  });

  it('gives no secret a flag, and every flag to one variable only', () => {
    const withFlag = entries.filter(([, entry]) => entry.secret && entry.flag !== undefined);
    assert.deepEqual(withFlag, []);
    const flags = entries.flatMap(([, entry]) => (entry.flag === undefined ? [] : [entry.flag]));
    assert.equal(new Set(flags).size, flags.length, 'two variables share a flag');
  });

  it('lists in the committed .env.example exactly the entries meant for it, each once and empty', () => {
    const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
    assert.equal(example, envExample(), '.env.example is stale: run `npm run docs`');
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)];
    assert.deepEqual(
      listed.map((match) => match[1]),
      entries.filter(([, entry]) => entry.envExample).map(([name]) => name),
    );
    assert.ok(
      listed.every((match) => match[2] === ''),
      '.env.example holds a value: it is committed, so it must hold none',
    );
  });
});
