/**
 * Figure 3 — critical path. One `ticket.created` through the warm ProcessFunction (claim,
 * normalize, the four Simpli steps with a checkpoint each, write-back, finish) against a fake
 * Simpli answering classify 120 ms, route 60 ms, sentiment 150 ms, draft 200 ms and a helpdesk
 * answering in 50 ms. Baseline: the critical path, max(classify + route, sentiment, draft) +
 * write-back = 230 ms. Target ≤ 1.15×. The sum of all calls (a sequential bridge) is printed too.
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

export async function criticalPath(): Promise<FigureResult> {
  const rig = await startProcessRig(ISSUE_LATENCIES);
  try {
    progress(`critical path: ${WARMUP} warm-up + ${RUNS} single ticket.created events`);
    for (let i = 0; i < WARMUP; i++) await timeBatch(rig, 1);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await timeBatch(rig, 1));
    const paths = new Set(rig.simpli.requests.map((r) => r.path));
    if (!['/classify', '/route', '/analyze', '/api/v1/draft'].every((p) => paths.has(p))) {
      throw new Error(`expected the four Simpli steps, saw ${[...paths].join(', ')}`);
    }
    return {
      figure: '3 critical path',
      rows: [
        ratioRow(
          { figure: '3 critical path', metric: `one ticket.created, processing time (median of ${RUNS})`, unit: 'ms', measured: median(times), baseline: criticalPathMs(ISSUE_LATENCIES) },
          1.15,
        ),
        {
          figure: '3 critical path',
          metric: 'sum of all calls (what a sequential bridge pays)',
          unit: 'ms',
          measured: sequentialMs(ISSUE_LATENCIES),
          baseline: criticalPathMs(ISSUE_LATENCIES),
          ratio: sequentialMs(ISSUE_LATENCIES) / criticalPathMs(ISSUE_LATENCIES),
        },
      ],
      notes: [
        `latencies ${JSON.stringify(ISSUE_LATENCIES)}; generic provider, DRAFT_REPLIES=true; the handler invocation is timed (Ledger on dynalite in another process)`,
      ],
      details: { times },
    };
  } finally {
    await rig.stop();
  }
}

if (isMain(import.meta.url)) await figureMain(criticalPath);
