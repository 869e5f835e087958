/**
 * The benchmark suite's command line.
 *
 *   npm run bench                  # every case, the issue's sizes
 *   npm run bench:quick            # smaller counts, fewer repetitions (~2 minutes)
 *   npm run bench -- --only W2     # cases whose id contains W2 (comma-separated filters)
 *   npm run bench -- --only 'W1-sqlite$'   # a trailing $: only the case with exactly that id
 *   npm run bench -- --only prefetch --results variants   # write bench/results/variants.json only
 *   npm run bench -- --only W4 --merge   # re-run some cases, keep the others of latest.json
 *   bench/build-baseline.sh <commit> && npm run bench -- --only AB- --merge   # old against new
 *   npm run bench -- --cpu-prof    # CPU profiles of Eventyard's measured windows, in
 *                                  # bench/results/profiles (read with bench/profile-top.ts)
 *
 * Prints each case's figures, writes bench/results/latest.json and docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCase } from './harness/alternate.js';
import { machineInfo, type MachineInfo } from './harness/machine.js';
import { resolveRate } from './harness/resolve-rates.js';
import { summarizeCase, type CaseSummary } from './harness/summarize.js';
import { abCases, fullPlan, quickPlan, type Case } from './plan.js';
import { printCase } from './report/console.js';
import { renderMarkdown, type ReportHeader } from './report/markdown.js';
import { judgeTargets } from './report/targets.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'contention-cores': { type: 'string', default: '0.35' },
    'no-write': { type: 'boolean', default: false },
    results: { type: 'string' },
    merge: { type: 'boolean', default: false },
  },
});

const root = fileURLToPath(new URL('..', import.meta.url));
// Read from node_modules: some packages (graphile-worker) do not export their package.json.
const version = (pkg: string): string =>
  (JSON.parse(readFileSync(`${root}node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version;
const log = (line: string): void => console.log(line);

const filters = values.only?.split(',').map((f) => f.trim()) ?? [];
// Old-against-new cases need bench/build-baseline.sh first: they run only when asked for (--only AB-...).
const withAb = (cases: Case[]): Case[] => [...cases, ...abCases()];
const plan = (values.quick ? quickPlan() : withAb(fullPlan()))
  .filter((c) => !c.id.startsWith('AB-') || filters.some((f) => f.startsWith('AB')))
  .filter(
    (c) => filters.length === 0 || filters.some((f) => (f.endsWith('$') ? c.id === f.slice(0, -1) : c.id.includes(f))),
  );
const contentionCores = Number(values['contention-cores']);
const profDir = `${root}bench/results/profiles`;
if (values['cpu-prof']) mkdirSync(profDir, { recursive: true });
const extraArgs = process.argv.slice(2).filter((a) => a !== '--quick');
const command = `npm run ${values.quick ? 'bench:quick' : 'bench'}${extraArgs.length > 0 ? ` -- ${extraArgs.join(' ')}` : ''}`;

const started = Date.now();
const machine = machineInfo();
log(`${command}: ${plan.length} cases on ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}`);
const summaries: CaseSummary[] = [];
const raw: { case: string; records?: unknown }[] = [];
// --merge: keep the cases of bench/results/latest.json that this run does not repeat.
const previous = values.merge ? readPrevious(`${root}bench/results/latest.json`) : undefined;
const planned = new Set(plan.map((c) => c.id));
const order = new Map((values.quick ? quickPlan() : withAb(fullPlan())).map((c, i) => [c.id, i]));
// Kept: the previous run's cases that this run does not repeat and that the plan still has.
const keptCase = (id: string): boolean => order.has(id) && !planned.has(id);
const kept = (previous?.summaries ?? []).filter((s) => keptCase(s.case.id));
const all = (): CaseSummary[] =>
  [...kept, ...summaries].sort((a, b) => (order.get(a.case.id) ?? 1e9) - (order.get(b.case.id) ?? 1e9));
const versions = {
  bullmq: version('bullmq'),
  plainjob: version('plainjob'),
  'better-sqlite3': version('better-sqlite3'),
  ioredis: version('ioredis'),
  'pg-boss': version('pg-boss'),
  'graphile-worker': version('graphile-worker'),
  pg: version('pg'),
};
const header = (): ReportHeader => ({
  command:
    previous && kept.length > 0
      ? `${previous.command} (from ${previous.startedAt}${previous.machine ? ` on ${previous.machine.cpuModel}` : ''}), then ${command}`
      : command,
  startedAt: new Date(started).toISOString(),
  minutes: (Date.now() - started) / 60_000,
  machine,
  versions,
  quick: values.quick,
  contentionCores,
  progress: summaries.length < plan.length ? `${summaries.length} of ${plan.length} cases done so far` : undefined,
});

/** Written after every case, so a long run that is cut short still leaves its figures. */
function writeResults(): void {
  if (values['no-write']) return;
  const targets = judgeTargets(all());
  mkdirSync(`${root}bench/results`, { recursive: true });
  // --results NAME: a side run (e.g. only the variant cases) that leaves latest.json and the docs alone.
  const name = values.results ?? 'latest';
  writeFileSync(
    `${root}bench/results/${name}.json`,
    JSON.stringify(
      {
        ...header(),
        targets,
        summaries: all(),
        raw: [...(previous?.raw ?? []).filter((r) => keptCase(r.case)), ...raw],
      },
      null,
      2,
    ) + '\n',
  );
  if (values.results === undefined)
    writeFileSync(`${root}docs/benchmarks.md`, renderMarkdown(header(), all(), targets));
}

/** The code measured: HEAD, marked `+changes` when src/ or bench/ (results aside) differ from it. */
function codeVersion(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'src', 'bench', ':!bench/results') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+changes' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
const commit = codeVersion();

for (const next of plan) {
  const { case: c, basis } = resolveRate(next, all());
  log(`\n${c.id}: ${c.title} [${c.profile}]${basis === 'fixed' ? '' : ` — rate: ${basis}`}`);
  const records = await runCase(c, {
    contentionCores,
    maxRetries: values.quick ? 1 : 3,
    // W3 holds its rate for a minute per confirmation, up to five times.
    timeoutMs: c.workload === 'W3' ? 1_800_000 : values.quick ? 120_000 : 600_000,
    profileDir: values['cpu-prof'] ? profDir : undefined,
    log,
  });
  const summary: CaseSummary = {
    ...summarizeCase(c, records),
    measured: { at: new Date().toISOString(), commit, node: process.version, versions, contentionCores },
  };
  printCase(summary, log);
  summaries.push(summary);
  raw.push({ case: c.id, records });
  writeResults();
}

log(
  `\nTargets:\n${judgeTargets(all())
    .map((t) => `  ${t.replace(/\*\*/g, '')}`)
    .join('\n')}`,
);
if (!values['no-write']) {
  log(
    values.results === undefined
      ? '\nwrote bench/results/latest.json and docs/benchmarks.md'
      : `\nwrote bench/results/${values.results}.json (latest.json and the docs left alone)`,
  );
}

function readPrevious(
  file: string,
):
  | { command: string; startedAt: string; machine?: MachineInfo; summaries: CaseSummary[]; raw: { case: string }[] }
  | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as {
      command: string;
      startedAt: string;
      machine?: MachineInfo;
      summaries: CaseSummary[];
      raw: { case: string }[];
    };
  } catch {
    return undefined;
  }
}

const failedChecks = summaries.some((s) => s.phases.some((p) => p.checks.some((k) => !k.ok)) || s.errors.length > 0);
process.exitCode = failedChecks ? 1 : 0;
