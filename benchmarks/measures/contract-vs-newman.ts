/**
 * Measure 1: a cold `npm run contract` on the local target (its own stack, token, attack tokens, Newman,
 * three reporters, summary) against the floor: the bare Newman CLI running the same collection with the
 * same reporters against a stack that is already running, with an environment that is already ready.
 * Also the floor with the cli reporter alone, the one the speed targets are stated against. The runs
 * alternate contract, floor, cli-only floor, contract… so that a burst of load from a neighbour hits
 * every side alike, and each round gives its own ratios.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  bareNewmanArgs,
  failure,
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
  /** The bare Newman CLI with the cli reporter only (the speed targets' floor). */
  readonly floorCliMs: Spread;
  /** contract ÷ floor for each alternating pair. */
  readonly pairRatio: Spread;
  /** contract ÷ cli-only floor for each alternating triple. */
  readonly pairRatioCli: Spread;
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
  const floorArgs = (run: number) =>
    bareNewmanArgs(COLLECTION, input.environmentPath, [
      '--reporters',
      'cli,htmlextra,junit',
      '--reporter-htmlextra-export',
      join(input.workDir, `floor-${run}.html`),
      '--reporter-htmlextra-skipHeaders',
      'Authorization',
      ...template,
      '--reporter-junit-export',
      join(input.workDir, `floor-${run}.xml`),
    ]);
  // The same run with the cli reporter alone: what a bare `newman run` costs at least.
  const floorCliArgs = bareNewmanArgs(COLLECTION, input.environmentPath, ['--reporters', 'cli']);
  const contract: number[] = [];
  const floor: number[] = [];
  const floorCli: number[] = [];
  const ratios: number[] = [];
  const ratiosCli: number[] = [];
  for (let run = 0; run < input.runs; run++) {
    const c = await timeCommand(contractArgs);
    if (c.code !== 0) throw failure('npm run contract', c);
    const f = await timeCommand(floorArgs(run));
    if (f.code !== 0) throw failure('newman run (floor)', f);
    const fc = await timeCommand(floorCliArgs);
    if (fc.code !== 0) throw failure('newman run (cli-only floor)', fc);
    contract.push(c.ms);
    floor.push(f.ms);
    floorCli.push(fc.ms);
    ratios.push(c.ms / f.ms);
    ratiosCli.push(c.ms / fc.ms);
    input.log(
      `  run ${run + 1}/${input.runs}: contract ${c.ms.toFixed(0)} ms, floor ${f.ms.toFixed(0)} ms, cli-only floor ${fc.ms.toFixed(0)} ms`,
    );
  }
  const contractMs = spread(contract);
  const floorMs = spread(floor);
  return {
    contractMs,
    floorMs,
    floorCliMs: spread(floorCli),
    pairRatio: spread(ratios),
    pairRatioCli: spread(ratiosCli),
    ratioOfMedians: contractMs.median / floorMs.median,
    contractCommand: `${npmScriptCommand('contract')} --target local --reports-dir <tmp> (reporters cli,htmlextra,junit)`,
    floorCommand: `node node_modules/newman/bin/newman.js run collections/hello-api.postman_collection.json -e <npm run stack's environment> -r cli,htmlextra,junit (htmlextra: skipHeaders Authorization${template.length > 0 ? ', offline template' : ', default template'}) --timeout-request 10000 --ignore-redirects`,
  };
}
