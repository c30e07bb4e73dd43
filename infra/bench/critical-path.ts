/**
 * Figure 3 — critical path. One `ticket.created` through the warm ProcessFunction (claim,
 * normalize, the four Simpli steps, the ticket's lock, write-back, its marks, finish carrying the
 * step results) against a fake Simpli answering classify 120 ms, route 60 ms, sentiment 150 ms,
 * draft 200 ms and a helpdesk answering in 50 ms. Baseline: the critical path,
 * max(classify + route, sentiment, draft) + write-back = 230 ms. Target ≤ 1.15×. The sum of all
 * calls (a sequential bridge) is printed too.
 */
import { randomUUID } from 'node:crypto';
import { figureMain, isMain, median, progress, ratioRow, type FigureResult } from './common.ts';
import { queuedTicket, sqsRecord } from './fixtures.ts';
import { criticalPathMs, ISSUE_LATENCIES, sequentialMs, startProcessRig, type ProcessRig } from './process-rig.ts';

const WARMUP = 2;
const RUNS = 9;

/** Milliseconds for the handler to process one batch of `size` new ticket.created events. */
export async function timeBatch(rig: ProcessRig, size: number): Promise<number> {
  const records = Array.from({ length: size }, () => sqsRecord(queuedTicket(`T-${randomUUID()}`, 1024)));
  const startedMs = performance.now();
  const response = await rig.process({ Records: records });
  const elapsedMs = performance.now() - startedMs;
  if (response.batchItemFailures.length > 0) throw new Error(`${response.batchItemFailures.length} records failed`);
  return elapsedMs;
}

async function measure(ledger: 'dynamodb' | 'memory'): Promise<number[]> {
  const rig = await startProcessRig(ISSUE_LATENCIES, { ledger });
  try {
    progress(`critical path (Ledger: ${ledger}): ${WARMUP} warm-up + ${RUNS} single ticket.created events`);
    for (let i = 0; i < WARMUP; i++) await timeBatch(rig, 1);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await timeBatch(rig, 1));
    const paths = new Set(rig.simpli.requests.map((r) => r.path));
    if (!['/classify', '/route', '/analyze', '/api/v1/draft'].every((p) => paths.has(p))) {
      throw new Error(`expected the four Simpli steps, saw ${[...paths].join(', ')}`);
    }
    return times;
  } finally {
    await rig.stop();
  }
}

/** The issue's note states 230 ms, but max(180, 150, 200) + 50 is 250: draft is the longest branch. */
const ISSUE_STATED_CRITICAL_PATH_MS = 230;

export async function criticalPath(): Promise<FigureResult> {
  const times = await measure('dynamodb');
  const memory = await measure('memory');
  const criticalMs = criticalPathMs(ISSUE_LATENCIES);
  const row = { figure: '3 critical path', unit: 'ms' } as const;
  return {
    figure: '3 critical path',
    rows: [
      ratioRow({ ...row, metric: `one ticket.created, processing time (median of ${RUNS})`, measured: median(times), baseline: criticalMs }, 1.15),
      { ...row, metric: 'same, Ledger in memory (isolates dynalite\'s share)', measured: median(memory), baseline: criticalMs, ratio: median(memory) / criticalMs },
      {
        ...row,
        metric: `same, against the issue's stated ${ISSUE_STATED_CRITICAL_PATH_MS} ms (an arithmetic slip)`,
        measured: median(times),
        baseline: ISSUE_STATED_CRITICAL_PATH_MS,
        ratio: median(times) / ISSUE_STATED_CRITICAL_PATH_MS,
      },
      { ...row, metric: 'sum of all calls (what a sequential bridge pays)', measured: sequentialMs(ISSUE_LATENCIES), baseline: criticalMs, ratio: sequentialMs(ISSUE_LATENCIES) / criticalMs },
    ],
    notes: [
      `latencies ${JSON.stringify(ISSUE_LATENCIES)}; generic provider, DRAFT_REPLIES=true; the handler invocation is timed (Ledger on dynalite in another process)`,
      `critical path = max(classify + route, sentiment, draft) + write-back = max(${ISSUE_LATENCIES.classify + ISSUE_LATENCIES.route}, ${ISSUE_LATENCIES.sentiment}, ${ISSUE_LATENCIES.draft}) + ${ISSUE_LATENCIES.helpdesk} = ${criticalMs} ms (the issue's note says ${ISSUE_STATED_CRITICAL_PATH_MS}); on it lie 4 Ledger writes, one after the other: claim, the ticket's lock, its marks, finish (no step is written on its own: README, "The Ledger")`,
    ],
    details: { times, memory },
  };
}

if (isMain(import.meta.url)) await figureMain(criticalPath);
