/**
 * Headless Chromium (Debian's `chromium`) opens a real run's report and the index from disk and logs
 * every network request it makes; the page must make none. Chromium's own background requests (time
 * sync and the like) are told apart by their network isolation key: only requests a file:// page
 * starts carry `file://` there. A page with one CDN stylesheet is the control that the check can fail.
 * Skipped, and shown as skipped, where /usr/bin/chromium is not installed, except under CI=true, where
 * every test must run: there a missing browser fails each test with the sentence that says how to
 * install it (`.ci/run` does).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type ContractResult, runContract } from '../../contract-runner/run-contract.ts';

/** Debian's Chromium; CHROMIUM names another build that takes the same flags (the GitHub workflow's Chrome). */
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const installed = existsSync(CHROMIUM);
/** Skipped on a developer's machine without the browser; under CI=true a missing browser fails instead. */
const skip =
  installed || process.env.CI === 'true' ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;
const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface PageLoad {
  readonly requested: string[];
  readonly screenshotBytes: number;
}

/** Opens a file in headless Chromium; returns the URLs the page itself asked the network for. */
async function openOffline(file: string, work: string, name: string): Promise<PageLoad> {
  const netLog = join(work, `${name}.netlog.json`);
  const screenshot = join(work, `${name}.png`);
  await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(work, `${name}.profile`)}`,
      `--log-net-log=${netLog}`,
      '--net-log-capture-mode=Default',
      '--window-size=1280,1600',
      `--screenshot=${screenshot}`,
      pathToFileURL(file).href,
    ],
    { timeout: 60_000 },
  );
  const log = JSON.parse(await readFile(netLog, 'utf8')) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: { url?: string; network_isolation_key?: string } }[];
  };
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  const requested = log.events
    .filter((event) => event.type === startJob && event.params?.network_isolation_key?.includes('file://'))
    .map((event) => event.params?.url ?? '')
    .filter((url) => !url.startsWith('file:'));
  return { requested, screenshotBytes: (await stat(screenshot)).size };
}

describe('the report and the index in headless Chromium', () => {
  let work = '';
  let result: ContractResult;

  before(async () => {
    if (skip) return;
    if (!installed) {
      throw new Error(
        `${CHROMIUM} is not installed, and under CI=true the browser test must run: install it with \`apt-get install -y chromium\` (.ci/run does).`,
      );
    }
    work = await mkdtemp(join(tmpdir(), 'audit-chromium-'));
    result = await runContract({
      target: 'local',
      rootDir,
      reportsDir: join(work, 'reports'),
      reporters: ['htmlextra', 'junit'],
    });
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sees a page with a CDN stylesheet request it (the control)', { skip }, async () => {
    const page = join(work, 'control.html');
    await writeFile(
      page,
      '<!DOCTYPE html><link rel="stylesheet" href="https://cdn.invalid/x.css"><p>control</p>',
    );

    const load = await openOffline(page, work, 'control');

    assert.deepEqual(load.requested, ['https://cdn.invalid/x.css']);
  });

  it('renders report.html without a single network request', { skip }, async () => {
    assert.ok(result.files.html);
    const load = await openOffline(result.files.html, work, 'report');

    assert.deepEqual(load.requested, []);
    assert.ok(load.screenshotBytes > 10_000, 'the screenshot is (nearly) empty');
  });

  it('renders reports/index.html without a single network request', { skip }, async () => {
    assert.ok(result.files.index);
    const load = await openOffline(result.files.index, work, 'index');

    assert.deepEqual(load.requested, []);
    assert.ok(load.screenshotBytes > 5_000, 'the screenshot is (nearly) empty');
  });
});
