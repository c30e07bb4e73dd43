/**
 * `npm run bench`: every figure of the performance issue, each against its baseline measured in
 * the same run (the machines are noisy: ratios hold, absolute times do not). Prints one table and
 * writes it, with every sample, to .local/bench-results.json.
 *
 *   npm run bench            all figures
 *   npm run bench -- 1 3     only figures 1 and 3
 *
 * Figure 1 spawns fresh Node processes itself; figures 2–6 each run in their own Node process
 * (fresh heap, handler logs discarded), with the emulators in yet another.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { coldStart } from './cold-start.ts';
import { ROOT, runFigureProcess, type BenchRow, type FigureResult } from './common.ts';
import { LOCAL_STACK_AVAILABLE } from './local-e2e.ts';

export const RESULTS_FILE = join(ROOT, '.local/bench-results.json');

interface Figure {
  readonly id: string;
  readonly title: string;
  run(): Promise<FigureResult>;
}

const FIGURES: readonly Figure[] = [
  { id: '1', title: 'cold start', run: coldStart },
  { id: '2', title: 'ingest overhead', run: () => runFigureProcess('ingest-overhead.ts') },
  { id: '3', title: 'critical path', run: () => runFigureProcess('critical-path.ts') },
  { id: '4', title: 'batch concurrency', run: () => runFigureProcess('batch-concurrency.ts') },
  { id: '5', title: 'local end to end', run: () => runFigureProcess('local-e2e.ts') },
  { id: '6', title: 'ledger cost', run: () => runFigureProcess('ledger-cost.ts') },
  { id: '7', title: 'cost per million tickets', run: () => runFigureProcess('cost.ts') },
];

function format(value: number | undefined, unit = ''): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit === '' ? '' : ` ${unit}`}`;
}

function ratioText(row: BenchRow): string {
  if (row.ratio === undefined) return '—';
  return row.delta === true ? `${row.ratio >= 0 ? '+' : ''}${format(row.ratio, row.unit)}` : `${row.ratio.toFixed(2)}×`;
}

export function renderTable(rows: readonly BenchRow[]): string {
  const header = ['figure', 'metric', 'measured', 'baseline', 'ratio', 'target', 'result'];
  const body = rows.map((row) => [
    row.figure,
    row.metric,
    format(row.measured, row.unit),
    format(row.baseline, row.unit),
    ratioText(row),
    row.target ?? '—',
    row.pass === undefined ? 'reported' : row.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+uncommitted changes` : commit;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => /^\d$/.test(a));
  const selected = FIGURES.filter((f) => wanted.length === 0 || wanted.includes(f.id));
  const machine = {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    commit: gitCommit(),
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log(`npm run bench — ${machine.cores} cores (${machine.cpu}), node ${machine.node}, commit ${machine.commit}, load average ${machine.loadAverageAtStart.join(' ')}`);
  const startedMs = Date.now();
  const results: FigureResult[] = [];
  const failures: string[] = [];
  for (const figure of selected) {
    if (figure.id === '5' && !LOCAL_STACK_AVAILABLE) {
      failures.push('5 local end to end: infra/start.ts (the npm start stack) does not exist yet');
      continue;
    }
    console.log(`figure ${figure.id}: ${figure.title}`);
    const figureStartedMs = Date.now();
    try {
      results.push(await figure.run());
      console.log(`  done in ${((Date.now() - figureStartedMs) / 1000).toFixed(0)} s`);
    } catch (error) {
      failures.push(`${figure.id} ${figure.title}: ${error instanceof Error ? error.message : String(error)}`);
      console.log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const rows = results.flatMap((r) => r.rows);
  const failed = rows.filter((r) => r.pass === false);
  console.log(`\n${renderTable(rows)}\n`);
  for (const result of results) for (const note of result.notes) console.log(`note (${result.figure}): ${note}`);
  for (const failure of failures) console.log(`not measured: ${failure}`);
  const summary = {
    ...machine,
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    durationS: Math.round((Date.now() - startedMs) / 1000),
    finishedAt: new Date().toISOString(),
    targetsMet: failed.length === 0 && failures.length === 0,
  };
  await mkdir(join(ROOT, '.local'), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify({ machine: summary, rows, figures: results, notMeasured: failures }, null, 2)}\n`);
  console.log(
    `\n${rows.filter((r) => r.pass === true).length} targets met, ${failed.length} missed${failures.length > 0 ? `, ${failures.length} figures not measured` : ''}; ${summary.durationS} s; results in ${relative(ROOT, RESULTS_FILE)}`,
  );
  process.exitCode = failed.length === 0 && failures.length === 0 ? 0 : 1;
}

await main();
