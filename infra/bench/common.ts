/**
 * What every benchmark figure shares: the result row, statistics, running a figure in its own
 * Node process (fresh heap, its logs discarded like CloudWatch would take them), and the
 * emulators in a second process so that the measured process does only the function's work.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = resolve(BENCH_DIR, '../..');

/** One line of the results table. `baseline` and `target` are absent for reported-only figures. */
export interface BenchRow {
  readonly figure: string;
  readonly metric: string;
  readonly unit: string;
  readonly measured: number;
  readonly baseline?: number | undefined;
  /** measured / baseline, or measured − baseline when `delta` is set. */
  readonly ratio?: number | undefined;
  readonly delta?: boolean | undefined;
  readonly target?: string | undefined;
  readonly pass?: boolean | undefined;
}

export interface FigureResult {
  readonly figure: string;
  readonly rows: readonly BenchRow[];
  /** How it was measured, and anything a reader needs to trust or distrust the numbers. */
  readonly notes: readonly string[];
  readonly details?: unknown;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN;
}

/** A row whose target is `measured ≤ maxRatio × baseline` (or ≥ for `higherIsBetter`). */
export function ratioRow(
  row: Omit<BenchRow, 'ratio' | 'target' | 'pass' | 'baseline'> & { baseline: number },
  limit: number,
  higherIsBetter = false,
): BenchRow {
  const ratio = row.measured / row.baseline;
  return {
    ...row,
    ratio,
    target: higherIsBetter ? `≥ ${limit}×` : `≤ ${limit}×`,
    pass: higherIsBetter ? ratio >= limit : ratio <= limit,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True when `moduleUrl` is the script Node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

/**
 * Runs `script` (a figure module) in a fresh Node process of the same binary. Its stdout — the
 * handlers' JSON logs and EMF metrics — is discarded; stderr shows progress; the result comes back
 * through a file.
 */
export async function runFigureProcess(script: string, env: Record<string, string> = {}): Promise<FigureResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-'));
  const out = join(dir, 'result.json');
  try {
    const code = await new Promise<number | null>((resolveExit, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, join(BENCH_DIR, script)], {
        cwd: ROOT,
        env: { ...process.env, ...env, BENCH_RESULT: out },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      // Progress lines pass; Powertools' warnings (stderr) are kept for when the figure fails.
      const stderr: string[] = [];
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (line.startsWith('  · ')) process.stderr.write(`${line}\n`);
        else stderr.push(line);
      });
      child.once('exit', (code) => {
        if (code !== 0) process.stderr.write(`${stderr.slice(-40).join('\n')}\n`);
      });
      child.once('error', reject);
      child.once('exit', resolveExit);
    });
    if (code !== 0) throw new Error(`${script} exited with ${code}`);
    return JSON.parse(await readFile(out, 'utf8')) as FigureResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The entry point of a figure module run by `runFigureProcess` (or by hand: prints the rows). */
export async function figureMain(run: () => Promise<FigureResult>): Promise<void> {
  const result = await run();
  const out = process.env.BENCH_RESULT;
  if (out !== undefined) await writeFile(out, JSON.stringify(result));
  else process.stderr.write(`${JSON.stringify(result, null, 2)}\n`);
  // Keep-alive sockets and emulator children must not hold the process open.
  process.exit(0);
}

export function progress(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}

export interface RemoteEmulators {
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly clientConfig: { region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

/** fauxqs + dynalite in a child process (emulator-process.ts), so their CPU is not counted as ours. */
export async function startRemoteEmulators(): Promise<RemoteEmulators> {
  const child = spawn(process.execPath, [...process.execArgv, join(BENCH_DIR, 'emulator-process.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolveLine, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code}`)));
    lines.once('line', resolveLine);
  });
  const endpoints = JSON.parse(first) as { sqsEndpoint: string; dynamodbEndpoint: string; region: string };
  return {
    sqsEndpoint: endpoints.sqsEndpoint,
    dynamodbEndpoint: endpoints.dynamodbEndpoint,
    clientConfig: { region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    stop: async () => {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}
