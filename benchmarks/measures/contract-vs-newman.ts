/**
 * Measure 1: a cold `npm run contract` on the local target (its own stack, token, attack tokens, Newman,
 * three reporters, summary) against the floor: the bare Newman CLI running the same collection with the
 * same reporters against a stack that is already running, with an environment that is already ready.
 * The runs alternate contract, floor, contract, floor… so that a burst of load from a neighbour hits
 * both sides alike, and each pair gives its own ratio.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  failure,
  newmanBin,
  npmScriptArgs,
  npmScriptCommand,
  repoRoot,
  timeCommand,
} from '../support/processes.ts';
import { type Spread, spread } from '../support/stats.ts';

export const COLLECTION = resolve(repoRoot, 'collections', 'hello-api.postman_collection.json');
const OFFLINE_TEMPLATE = resolve(repoRoot, 'contract-runner', 'templates', 'offline-report.hbs');

export interface ContractVsNewman {
  readonly contractMs: Spread;
  readonly floorMs: Spread;
  /** contract ÷ floor for each alternating pair. */
  readonly pairRatio: Spread;
  /** median(contract) ÷ median(floor). */
  readonly ratioOfMedians: number;
  readonly floorCommand: string;
  readonly contractCommand: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function measureContractVsNewman(input: {
  readonly runs: number;
  readonly environmentPath: string;
  readonly workDir: string;
  readonly log: (line: string) => void;
}): Promise<ContractVsNewman> {
  const contractArgs = [
    ...npmScriptArgs('contract'),
    '--target',
    'local',
    '--reports-dir',
    join(input.workDir, 'contract-reports'),
  ];
  // The contract renders htmlextra with its offline template when the runner has one; so does the floor.
  const template = (await exists(OFFLINE_TEMPLATE))
    ? ['--reporter-htmlextra-template', OFFLINE_TEMPLATE]
    : [];
  const floorArgs = (run: number) => [
    newmanBin,
    'run',
    COLLECTION,
    '--environment',
    input.environmentPath,
    '--reporters',
    'cli,htmlextra,junit',
    '--reporter-htmlextra-export',
    join(input.workDir, `floor-${run}.html`),
    '--reporter-htmlextra-skipHeaders',
    'Authorization',
    ...template,
    '--reporter-junit-export',
    join(input.workDir, `floor-${run}.xml`),
    '--timeout-request',
    '10000',
    '--ignore-redirects',
  ];
  const contract: number[] = [];
  const floor: number[] = [];
  const ratios: number[] = [];
  for (let run = 0; run < input.runs; run++) {
    const c = await timeCommand(contractArgs);
    if (c.code !== 0) throw failure('npm run contract', c);
    const f = await timeCommand(floorArgs(run));
    if (f.code !== 0) throw failure('newman run (floor)', f);
    contract.push(c.ms);
    floor.push(f.ms);
    ratios.push(c.ms / f.ms);
    input.log(`  run ${run + 1}/${input.runs}: contract ${c.ms.toFixed(0)} ms, floor ${f.ms.toFixed(0)} ms`);
  }
  const contractMs = spread(contract);
  const floorMs = spread(floor);
  return {
    contractMs,
    floorMs,
    pairRatio: spread(ratios),
    ratioOfMedians: contractMs.median / floorMs.median,
    contractCommand: `${npmScriptCommand('contract')} --target local --reports-dir <tmp> (reporters cli,htmlextra,junit)`,
    floorCommand: `node node_modules/newman/bin/newman.js run collections/hello-api.postman_collection.json -e <npm run stack's environment> -r cli,htmlextra,junit (htmlextra: skipHeaders Authorization${template.length > 0 ? ', offline template' : ', default template'}) --timeout-request 10000 --ignore-redirects`,
  };
}
