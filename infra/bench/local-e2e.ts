/**
 * Figure 5 — local end to end. The `npm start` stack (real handlers, fauxqs, dynalite, local HTTP
 * API, SQS poller, zero-latency Simpli simulator, dry-run write-back) in one process; autocannon in
 * this one, 50 connections, every request a new signed generic ticket. Reported: acknowledged
 * webhooks per second, p50/p99 acknowledgement latency, and events fully processed per second
 * (deleted from the queue after success, from the first request until the queue is drained).
 * No baseline: this is the whole machine, reported with its core count.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { signGeneric } from '../sign/generic.ts';
import { BENCH_DIR, figureMain, isMain, progress, ROOT, sleep, type BenchRow, type FigureResult } from './common.ts';
import { BENCH_SECRET, ticketBody } from './fixtures.ts';

const CONNECTIONS = 50;
const DURATION_S = 10;
const DRAIN_TIMEOUT_MS = 120_000;

interface AutocannonResult {
  readonly latency: { readonly p50: number; readonly p99: number; readonly average: number };
  readonly requests: { readonly average: number; readonly total: number };
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: Array<{ method: string; path: string; setupRequest: (request: AutocannonRequest) => AutocannonRequest }>;
}) => Promise<AutocannonResult>;

interface PollerStats {
  readonly deleted: number;
  readonly received: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly atMs: number;
}

export const LOCAL_STACK_AVAILABLE = existsSync(join(ROOT, 'infra/start.ts'));

export async function localEndToEnd(): Promise<FigureResult> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const stack = spawn(process.execPath, [...process.execArgv, join(BENCH_DIR, 'local-stack-process.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: stack.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => {
    if (line.startsWith('{')) waiting.shift()?.(line);
  });
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  const stats = async (): Promise<PollerStats> => {
    const line = nextLine();
    stack.stdin.write('stats\n');
    return JSON.parse(await line) as PollerStats;
  };
  try {
    const { url } = JSON.parse(await nextLine()) as { url: string };
    const before = await stats();
    progress(`local end to end: autocannon, ${CONNECTIONS} connections for ${DURATION_S} s against ${url} (npm start stack in another process)`);
    const startedMs = Date.now();
    const result = await autocannon({
      url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [
        {
          method: 'POST',
          path: '/webhooks/generic/ticket-created',
          setupRequest: (request) => {
            const body = ticketBody(`T-${randomUUID()}`, 1024);
            const { headers } = signGeneric({ method: 'POST', url: `${url}/webhooks/generic/ticket-created`, body, secret: BENCH_SECRET, nowMs: Date.now() });
            return { ...request, headers: { ...request.headers, 'content-type': 'application/json', ...headers }, body };
          },
        },
      ],
    });
    const acknowledged = result['2xx'];
    const afterLoad = await stats();
    progress(`local end to end: ${acknowledged} acknowledged; waiting for the poller to process them`);
    let last = afterLoad;
    while (last.deleted - before.deleted < acknowledged && Date.now() - startedMs < DRAIN_TIMEOUT_MS) {
      await sleep(250);
      last = await stats();
    }
    const processed = last.deleted - before.deleted;
    const processingS = (last.atMs - startedMs) / 1000;
    const row = (metric: string, unit: string, measured: number): BenchRow => ({ figure: '5 local end to end', metric, unit, measured });
    return {
      figure: '5 local end to end',
      rows: [
        row(`acknowledged webhooks per second (${CONNECTIONS} connections)`, 'req/s', acknowledged / result.duration),
        row('acknowledgement latency p50', 'ms', result.latency.p50),
        row('acknowledgement latency p99', 'ms', result.latency.p99),
        row('events fully processed per second (zero-latency fakes)', 'events/s', processed / processingS),
        row('events still unprocessed when the load stopped', 'events', acknowledged - (afterLoad.deleted - before.deleted)),
        row('cores on this machine', 'cores', availableParallelism()),
      ],
      notes: [
        `${availableParallelism()} cores shared by autocannon, the stack (API + both handlers + fauxqs + dynalite + simulator, one process) and anything else running`,
        `${acknowledged} acknowledged, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; processed ${processed} in ${processingS.toFixed(1)} s (failed batches: ${last.failed - before.failed})`,
      ],
      details: { autocannon: { latency: result.latency, requests: result.requests, duration: result.duration }, before, afterLoad, last },
    };
  } finally {
    stack.stdin.end();
    if (stack.exitCode === null) await new Promise((resolve) => stack.once('exit', resolve));
  }
}

if (isMain(import.meta.url)) await figureMain(localEndToEnd);
