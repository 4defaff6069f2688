/**
 * `npm run bench`: how long the contract takes against bare Newman, how fast the local stack starts,
 * how the local gateway's throughput compares with a bare HTTP server, and how many Cognito calls the
 * token reuse saves. Several runs of each; prints medians and spreads, and writes
 * reports/bench/<UTC>.json and .md. Figures only: nothing here passes or fails on a time.
 * See docs/benchmarks.md for what each figure means.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_MATRIX, matrixSetting } from '../collections/plan.ts';
import { listOf, parseFlags, wholeNumber } from '../common/args.ts';
import { UsageError } from '../common/cli-error.ts';
import { plural } from '../common/plural.ts';
import { type ClauseCost, measureClauseCost } from './measures/clause-cost.ts';
import { type CallCount, measureCognitoCalls } from './measures/cognito-calls.ts';
import { type ContractVsNewman, measureContractVsNewman } from './measures/contract-vs-newman.ts';
import { type HotPath, measureHotPath } from './measures/hot-path.ts';
import { type Machine, measureMachine } from './measures/machine.ts';
import {
  measureSandboxSigning,
  SANDBOX_SIGNING_ALGS,
  type SandboxSigning,
} from './measures/sandbox-signing.ts';
import { measureScaling, SCALING_SIZES, type Scaling } from './measures/scaling.ts';
import { measureSignIn, SIGN_IN_FLOWS, type SignInCost } from './measures/sign-in.ts';
import { measureStartup, type Startup } from './measures/startup.ts';
import { measureThroughput, type Throughput } from './measures/throughput.ts';
import { HOT_PATH_LABELS, HOT_PATH_STEPS } from './support/hot-path-worker-steps.ts';
import { repoRoot } from './support/processes.ts';
import { formats, markdownTable, type Row, spreadRow, textTable } from './support/report.ts';
import { assertNoOtherStack, type RunningStack, startRunningStack } from './support/running-stack.ts';

const MEASURES = [
  'contract',
  'startup',
  'throughput',
  'cognito',
  'hotpath',
  'clauses',
  'signin',
  'scaling',
  'sandboxsign',
] as const;
type Measure = (typeof MEASURES)[number];

/** What the chosen measures found; a measure not chosen is absent. */
interface Results {
  startup?: Startup;
  contract?: ContractVsNewman;
  throughput?: Throughput;
  cognito?: CallCount[];
  hotPath?: HotPath;
  clauses?: ClauseCost;
  signIn?: SignInCost;
  scaling?: Scaling;
  sandboxSigning?: SandboxSigning;
}

const usage = `Usage: npm run bench -- [flags]

  --runs N          runs of the contract/floor pair, of each start-up, of each hot-path step, of each
                    sign-in flow and of the sandbox signatures (default 5)
  --rounds N        throughput rounds per target (default 3)
  --duration S      seconds per throughput round (default 5)
  --connections N   autocannon connections (default 10)
  --iterations N    Newman iterations for the Cognito-call count (default 100)
  --clause-iterations N  Newman iterations of each run of the per-clause cost (default 5)
  --scaling-runs N  cold contracts of each API size (${SCALING_SIZES.join(', ')} methods) for measure 8 (default 1)
  --matrix MODE     the attack matrix measure 8 runs (planned, the default, or full)
  --scaling-sizes LIST  comma-separated numbers of protected methods for measure 8 (default ${SCALING_SIZES.join(',')})
  --only LIST       comma-separated from ${MEASURES.join(',')} (default: all)
  --out DIR         where the JSON and Markdown go (default: reports/bench)
`;

function count(flag: string, value: string | undefined, fallback: number, max: number): number {
  return wholeNumber(`--${flag}`, value, { min: 1, max }) ?? fallback;
}

function gitDescription(): string {
  try {
    const commit = execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['-C', repoRoot, 'status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
    return `${commit}${dirty ? ' (working tree has uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const load = () => loadavg().map((value) => Number(value.toFixed(2)));

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      runs: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      iterations: { type: 'string' },
      'clause-iterations': { type: 'string' },
      'scaling-runs': { type: 'string' },
      matrix: { type: 'string' },
      'scaling-sizes': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
    { command: 'npm run bench --' },
  );
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  const runs = count('runs', flags.runs, 5, 100);
  const rounds = count('rounds', flags.rounds, 3, 100);
  const durationSeconds = count('duration', flags.duration, 5, 600);
  const connections = count('connections', flags.connections, 10, 1_000);
  const iterations = count('iterations', flags.iterations, 100, 10_000);
  const clauseIterations = count('clause-iterations', flags['clause-iterations'], 5, 1_000);
  const scalingRuns = count('scaling-runs', flags['scaling-runs'], 1, 20);
  // The flag alone: a CONTRACT_MATRIX left in the shell must not change what a benchmark measures.
  const matrix = matrixSetting(flags.matrix, {}) ?? DEFAULT_MATRIX;
  const scalingSizes = flags['scaling-sizes']
    ?.split(',')
    .map((size) => wholeNumber('--scaling-sizes', size.trim(), { min: 1, max: 2_000 }) ?? 0) ?? [
    ...SCALING_SIZES,
  ];
  const only: Measure[] = listOf('--only', flags.only, MEASURES) ?? [...MEASURES];
  const outDir = resolve(flags.out ?? join(repoRoot, 'reports', 'bench'));

  const startedAt = new Date();
  const context = {
    startedAt: startedAt.toISOString(),
    loadAverageAtStart: load(),
    cpus: cpus().length,
    node: process.version,
    commit: gitDescription(),
    settings: {
      runs,
      rounds,
      durationSeconds,
      connections,
      iterations,
      clauseIterations,
      scalingRuns,
      scalingSizes,
      matrix,
      only,
    },
  };
  log(
    `Bench at ${context.startedAt}, commit ${context.commit}, ${context.cpus} CPUs, load average (1, 5, 15 min) ${context.loadAverageAtStart.join(', ')}`,
  );
  // Measure 0 whatever --only says: figures from two machines compare only through it.
  const machine = await measureMachine({ runs: Math.max(5, runs) });
  log(`Machine: ${describeMachine(machine)}`);

  await assertNoOtherStack();
  const workDir = await mkdtemp(join(tmpdir(), 'hello-api-bench-'));
  const results: Results = {};
  let stack: RunningStack | undefined;
  try {
    // First, while no other stack runs: each start-up writes the stack's fixed files, then removes them.
    if (only.includes('startup')) {
      log(`Start-up: ${runs} fresh processes of each kind`);
      results.startup = await measureStartup({ runs, log });
    }
    if (only.includes('hotpath')) {
      log(`Hot path: each step of a request in ${runs} fresh processes, no sockets`);
      results.hotPath = await measureHotPath({ runs, log });
    }
    // Each cold contract starts its own stack, like the start-ups: before the running stack exists.
    if (only.includes('scaling')) {
      log(
        `Scaling: cold contracts of ${scalingSizes.join(', ')} protected methods, ${scalingRuns} each, matrix ${matrix}`,
      );
      results.scaling = await measureScaling({
        runs: scalingRuns,
        workDir,
        matrix,
        sizes: scalingSizes,
        log,
      });
    }
    if (only.includes('sandboxsign')) {
      log(`Sandbox signatures: each algorithm in postman-sandbox, ${runs} runs`);
      results.sandboxSigning = await measureSandboxSigning({ runs, log });
    }
    // The measures above need no running stack.
    const ownStack: readonly Measure[] = ['startup', 'hotpath', 'scaling', 'sandboxsign'];
    if (only.some((name) => !ownStack.includes(name))) {
      stack = await startRunningStack(workDir, 'running-stack');
      log(`Running stack for the floor, throughput and Cognito counts: ${stack.settings.API_URL}`);
    }
    if (stack && only.includes('contract')) {
      log(`Contract vs floor: ${runs} alternating pairs`);
      results.contract = await measureContractVsNewman({
        runs,
        environmentPath: stack.environmentPath,
        workDir,
        log,
      });
    }
    if (stack && only.includes('throughput')) {
      log(`Throughput: ${rounds} rounds of ${durationSeconds} s per target, ${connections} connections`);
      const environment = JSON.parse(await readFile(stack.environmentPath, 'utf8')) as {
        values: { key: string; value: string }[];
      };
      const idToken = environment.values.find((v) => v.key === 'id_token')?.value ?? '';
      results.throughput = await measureThroughput({
        rounds,
        durationSeconds,
        connections,
        apiUrl: stack.settings.API_URL ?? '',
        idToken,
        ...(stack.child.pid === undefined ? {} : { gatewayPid: stack.child.pid }),
        log,
      });
    }
    if (stack && only.includes('cognito')) {
      log('Cognito calls, counted by a proxy in front of the running stack');
      results.cognito = await measureCognitoCalls({
        settings: stack.settings,
        environmentPath: stack.environmentPath,
        workDir,
        iterations,
        log,
      });
    }
    if (stack && only.includes('clauses')) {
      log(
        `Per-clause cost: ${runs} alternating pairs, whole collection and zero clauses, ${clauseIterations} iterations each`,
      );
      results.clauses = await measureClauseCost({
        runs,
        iterations: clauseIterations,
        environmentPath: stack.environmentPath,
        workDir,
        log,
      });
    }
    if (stack && only.includes('signin')) {
      log(`Sign-in: each flow ${runs} times against the running stack's local Cognito, in turn`);
      results.signIn = await measureSignIn({ runs, log });
    }
  } finally {
    await stack?.stop();
    await rm(workDir, { recursive: true, force: true });
  }

  const rows = [machineRow(machine), ...buildRows(results)];
  const finishedAt = new Date();
  const loadAtEnd = load();
  const heading = `Load average (1, 5, 15 min) at start ${context.loadAverageAtStart.join(', ')}, at end ${loadAtEnd.join(', ')}; ${context.cpus} CPUs (${describeMachine(machine)}); Node ${context.node}; commit ${context.commit}.`;
  process.stdout.write(`\n${textTable(rows)}\n\n${heading}\n${notes(results).join('\n')}\n`);

  await mkdir(outDir, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const base = join(outDir, stamp);
  await writeFile(
    `${base}.json`,
    `${JSON.stringify({ ...context, machine, finishedAt: finishedAt.toISOString(), loadAverageAtEnd: loadAtEnd, results, rows }, null, 2)}\n`,
  );
  await writeFile(
    `${base}.md`,
    `# Bench ${context.startedAt}\n\n${heading}\n\n${markdownTable(rows)}\n\n${notes(results)
      .map((line) => `- ${line}`)
      .join('\n')}\n`,
  );
  process.stdout.write(`Written: ${relative(process.cwd(), `${base}.json`)} and .md\n`);
  return 0;
}

function describeMachine(machine: Machine): string {
  const clock = machine.cpuMhz === undefined ? '' : ` at ${machine.cpuMhz} MHz`;
  return `${machine.cpuModel}${clock}, reference ${formats.ms(machine.referenceMs.median)}`;
}

/** Measure 0: the machine's own speed, the denominator of any comparison between days. */
function machineRow(machine: Machine): Row {
  return spreadRow(
    `0. machine reference: ${machine.rounds} JSON round trips of the collection, CPU`,
    machine.referenceMs,
    formats.ms,
  );
}

/** The speed target: contract ÷ cli-only floor at most 1.3 on Node 20, 1.2 on Node 22 and 24. */
const cliRatioTarget = Number(process.versions.node.split('.')[0]) >= 22 ? 1.2 : 1.3;

function buildRows(results: Results): Row[] {
  const rows: Row[] = [];
  const { contract, startup, throughput, cognito, hotPath, clauses, signIn, scaling, sandboxSigning } =
    results;
  if (contract) {
    rows.push(
      spreadRow('1. cold npm run contract (local)', contract.contractMs, formats.ms),
      spreadRow('1. floor: bare newman run, stack running', contract.floorMs, formats.ms),
      spreadRow('1. floor, cli reporter only', contract.floorCliMs, formats.ms),
      spreadRow('1. ratio contract / floor (per pair)', contract.pairRatio, formats.ratio, {
        target: '≤ 1.5',
        ok: (median) => median <= 1.5,
      }),
      spreadRow('1. ratio contract / cli-only floor (per round)', contract.pairRatioCli, formats.ratio, {
        target: `≤ ${cliRatioTarget} (Node ${process.versions.node.split('.')[0]})`,
        ok: (median) => median <= cliRatioTarget,
      }),
    );
  }
  if (startup) {
    rows.push(
      spreadRow('2. startStack() call to ready', startup.startStackMs, formats.ms, {
        target: '≤ 1000 ms',
        ok: (median) => median <= 1000,
      }),
      spreadRow('2. loading the stack modules (before)', startup.importMs, formats.ms),
      spreadRow('2. npm run stack: spawn to "ready" line', startup.npmRunStackReadyMs, formats.ms, {
        target: '≤ 600 ms',
        ok: (median) => median <= 600,
      }),
    );
  }
  if (throughput) {
    rows.push(
      spreadRow('3. gateway: authorized GET /hello', throughput.gatewayRps, formats.rps),
      spreadRow('3. plain node:http, same body', throughput.plainRps, formats.rps),
      spreadRow('3. ratio gateway / plain (per round)', throughput.roundRatio, formats.ratio, {
        target: '≥ 0.5',
        ok: (median) => median >= 0.5,
      }),
    );
    if (throughput.gatewayCpuMicros && throughput.plainCpuMicros) {
      rows.push(
        spreadRow('3. gateway process CPU per request', throughput.gatewayCpuMicros, formats.us),
        spreadRow('3. plain process CPU per request', throughput.plainCpuMicros, formats.us),
      );
    }
  }
  for (const call of cognito ?? []) {
    const operations = Object.entries(call.byOperation)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    rows.push({
      measure: `4. Cognito calls: ${call.what}`,
      median: String(call.calls),
      spread: operations || 'none',
      target: `= ${call.expected}`,
      verdict: call.calls === call.expected ? 'met' : 'NOT met',
    });
  }
  if (hotPath) {
    for (const step of HOT_PATH_STEPS) {
      rows.push(spreadRow(`5. hot path: ${HOT_PATH_LABELS[step]}`, hotPath[step], formats.us2));
    }
  }
  if (clauses) {
    const runsOf = `${clauses.clauses} clauses × ${clauses.iterations} iterations`;
    rows.push(
      spreadRow(`6. bare newman run, ${runsOf}`, clauses.wholeMs, formats.ms),
      spreadRow(`6. the same with zero clauses × ${clauses.iterations}`, clauses.emptyMs, formats.ms),
      spreadRow('6. run cost per clause, bare newman (per pair)', clauses.perClauseMs, formats.ms1, {
        target: '≤ 15 ms',
        ok: (median) => median <= 15,
      }),
      spreadRow(`6. the same with setImmediate hops, ${runsOf}`, clauses.wholeHopsMs, formats.ms),
      spreadRow('6. the same with zero clauses', clauses.emptyHopsMs, formats.ms),
      spreadRow(
        '6. run cost per clause, setImmediate hops (as the runner)',
        clauses.perClauseHopsMs,
        formats.ms1,
        {
          target: '≤ 10 ms',
          ok: (median) => median <= 10,
        },
      ),
    );
  }
  if (signIn) {
    for (const flow of SIGN_IN_FLOWS) {
      rows.push(spreadRow(`7. sign-in, ${SIGN_IN_LABELS[flow]}`, signIn[flow], formats.ms1));
    }
  }
  if (scaling) {
    for (const point of scaling.points) {
      const methods = plural(point.methods, 'method');
      const what = `8. cold contract, ${methods} (${point.clauses} clauses, ${scaling.matrix})`;
      rows.push(
        spreadRow(
          what,
          point.ms,
          formats.ms,
          point.methods === 200 ? { target: '< 60000 ms', ok: (median) => median < 60_000 } : undefined,
        ),
        spreadRow(
          `8. peak RSS, ${methods}`,
          point.maxRssBytes,
          formats.mib,
          point.methods === 200 ? { target: '< 1 GB', ok: (median) => median < 1e9 } : undefined,
        ),
        spreadRow(`8. report bytes, ${methods}`, point.reportBytes, formats.mib),
      );
    }
    // Only where both sizes ran (--scaling-sizes may leave one out).
    if (Number.isFinite(scaling.ratio20to1))
      rows.push({
        measure: '8. ratio 20 methods / 1 method (medians)',
        median: formats.ratio(scaling.ratio20to1),
        spread: '',
        target: '≤ 3',
        verdict: scaling.ratio20to1 <= 3 ? 'met' : 'NOT met',
      });
  }
  if (sandboxSigning) {
    for (const alg of SANDBOX_SIGNING_ALGS) {
      rows.push(
        spreadRow(`9. sandboxCrypto 2048-bit signature, ${alg}`, sandboxSigning.ms[alg], formats.ms1),
      );
    }
  }
  return rows;
}

const SIGN_IN_LABELS: Readonly<Record<(typeof SIGN_IN_FLOWS)[number], string>> = {
  'admin-password': 'admin-password (the local default)',
  password: 'password (USER_PASSWORD_AUTH)',
  srp: 'srp (USER_SRP_AUTH, public API)',
  'admin-srp': 'admin-srp (USER_SRP_AUTH, admin API)',
  refresh: 'refresh (REFRESH_TOKEN_AUTH)',
};

function notes(results: Results): string[] {
  const lines: string[] = [];
  if (results.contract) {
    lines.push(
      `Contract: ${results.contract.contractCommand}.`,
      `Floor: ${results.contract.floorCommand}; the cli-only floor is the same with -r cli. All started with node directly, not through npm/npx.`,
      `Ratio of the medians: ${formats.ratio(results.contract.ratioOfMedians)}.`,
    );
  }
  if (results.throughput) {
    lines.push(
      `Throughput: autocannon in the bench process, ${results.throughput.connections} connections, ${results.throughput.durationSeconds} s per round after a 1 s warm-up; gateway (npm run stack) and plain server each in their own process. Ratio of the medians: ${formats.ratio(results.throughput.ratioOfMedians)}.`,
    );
  }
  if (results.cognito) {
    lines.push(
      'Cognito calls: a local contract run starts a new pool each time, so it always signs in once; the second-run reuse is measured against a running stack through .env-style settings (--target aws, throw-away project root), and the Newman count with the collection signing in by itself.',
    );
  }
  if (results.hotPath) {
    lines.push(
      'Hot path: each step timed in its own process with node:crypto-made ~1 kB ID token, no sockets, 10 calls in flight; time per call of the step alone (the cost of making each fresh header string or request object is measured alone and subtracted).',
    );
  }
  if (results.clauses) {
    lines.push(
      `Per-clause cost: bare newman run -r cli against the running stack, the whole collection and the same with every item removed (collection scripts kept), ${results.clauses.iterations} iterations each, alternating; (whole − empty) ÷ (clauses × iterations) per pair.`,
    );
  }
  if (results.scaling) {
    lines.push(
      'Scaling: a synthetic API Gateway OpenAPI export per size (resources of up to four methods, one Cognito authorizer, stand-in handlers), each run a cold `npm run contract -- --api-spec FILE` with its own stack, timed from spawn to exit; peak RSS of that process; report bytes: the whole run folder (report.html, junit.xml, summary.json, the generated collection).',
    );
  }
  if (results.signIn) {
    lines.push(
      "Sign-in: the token helper's signIn / refreshSignIn in the bench process, one SDK client, over HTTP to the running stack; one untimed sign-in per flow first; the flows in turn within each run.",
    );
  }
  if (results.sandboxSigning) {
    lines.push(
      `Sandbox signatures: sandboxCrypto.rsaSign with the committed 2048-bit attacker key inside postman-sandbox ${results.sandboxSigning.postmanSandboxVersion} (one context, five untimed signatures first), the mean of ${results.sandboxSigning.rounds} signatures per algorithm per run; "without CRT" signs from n, e and d only.`,
    );
  }
  return lines;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm run bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
