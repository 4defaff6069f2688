import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'dotenv';
import { mergeEnvText, readEnvFile, updateEnvFile } from '../../infra/env-file.ts';

describe('mergeEnvText', () => {
  test('replaces a key in place and keeps comments, blank lines, order and other keys byte for byte', () => {
    const existing =
      '# contract settings\nCONTRACT_USERNAME=qa@example.com\n\nAPI_URL=https://old\nCONTRACT_PASSWORD="p#ss word"\n';
    const merged = mergeEnvText(existing, { API_URL: 'https://new.example/dev' });
    assert.equal(
      merged,
      '# contract settings\nCONTRACT_USERNAME=qa@example.com\n\nAPI_URL=https://new.example/dev\nCONTRACT_PASSWORD="p#ss word"\n',
    );
  });

  test('appends keys the file did not have, in the order given', () => {
    assert.equal(mergeEnvText('A=1', { B: '2', C: '3' }), 'A=1\nB=2\nC=3\n');
    assert.equal(mergeEnvText('', { B: '2' }), 'B=2\n');
  });

  test('rewrites every assignment of a key, including `export KEY=`, because dotenv lets the last win', () => {
    const merged = mergeEnvText('export AWS_REGION=us-east-1\nAWS_REGION=eu-west-1\n', {
      AWS_REGION: 'eu-central-1',
    });
    assert.equal(merged, 'AWS_REGION=eu-central-1\nAWS_REGION=eu-central-1\n');
  });

  test('keeps Windows line endings when the file has them', () => {
    assert.equal(mergeEnvText('# x\r\nA=1\r\n', { A: '2' }), '# x\r\nA=2\r\n');
  });

  test('quotes values dotenv would otherwise misread, and they read back unchanged', () => {
    const merged = mergeEnvText('', { SPACED: 'a b #c', URL: 'https://x.example/dev?a=b' });
    assert.deepEqual(parse(merged), { SPACED: 'a b #c', URL: 'https://x.example/dev?a=b' });
  });

  test('refuses a value it cannot write safely instead of corrupting the file', () => {
    assert.throws(() => mergeEnvText('', { BAD: "it's\nbroken" }), /BAD cannot be written/);
  });
});

describe('updateEnvFile', () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'env-file-'));
    dirs.push(dir);
    return dir;
  };

  test('creates a missing .env with mode 0600 and leaves no temporary file behind', async () => {
    const dir = await tempDir();
    const path = join(dir, '.env');
    await updateEnvFile(path, { API_URL: 'https://a.example/dev' });
    assert.equal(await readFile(path, 'utf8'), 'API_URL=https://a.example/dev\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['.env']);
  });

  test('tightens an existing world-readable .env to 0600 while keeping its other keys', async () => {
    const dir = await tempDir();
    const path = join(dir, '.env');
    await writeFile(path, 'CONTRACT_PASSWORD=secret\n', { mode: 0o644 });
    await updateEnvFile(path, { AWS_REGION: 'eu-west-1' });
    assert.deepEqual(await readEnvFile(path), { CONTRACT_PASSWORD: 'secret', AWS_REGION: 'eu-west-1' });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  test('readEnvFile treats a missing file as empty', async () => {
    assert.deepEqual(await readEnvFile(join(await tempDir(), 'absent.env')), {});
  });
});
