/**
 * Figure 4 — batch concurrency. A batch of 10 new ticket.created events against one event, same
 * latencies as figure 3, alternated. Target ≤ 1.5×: the records of a batch run concurrently.
 * Reported beside it: the same with the Ledger in memory, which shows how much of the difference is
 * the emulated DynamoDB (40 writes for a batch, on one single-threaded dynalite) rather than the bridge.
 */
import { figureMain, isMain, median, progress, ratioRow, type FigureResult } from './common.ts';
import { timeBatch } from './critical-path.ts';
import { ISSUE_LATENCIES, startProcessRig } from './process-rig.ts';

const BATCH = 10;
const RUNS = 5;

async function measure(ledger: 'dynamodb' | 'memory'): Promise<{ one: number[]; batch: number[] }> {
  const rig = await startProcessRig(ISSUE_LATENCIES, { ledger });
  try {
    progress(`batch concurrency (Ledger: ${ledger}): ${RUNS} × (one event, a batch of ${BATCH}), alternated`);
    await timeBatch(rig, 1);
    await timeBatch(rig, BATCH);
    const one: number[] = [];
    const batch: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      one.push(await timeBatch(rig, 1));
      batch.push(await timeBatch(rig, BATCH));
    }
    return { one, batch };
  } finally {
    await rig.stop();
  }
}

export async function batchConcurrency(): Promise<FigureResult> {
  const { one, batch } = await measure('dynamodb');
  const memory = await measure('memory');
  return {
    figure: '4 batch concurrency',
    rows: [
      ratioRow(
        { figure: '4 batch concurrency', metric: `batch of ${BATCH} vs one event (median of ${RUNS})`, unit: 'ms', measured: median(batch), baseline: median(one) },
        1.5,
      ),
      {
        figure: '4 batch concurrency',
        metric: `same, Ledger in memory (isolates dynalite's share)`,
        unit: 'ms',
        measured: median(memory.batch),
        baseline: median(memory.one),
        ratio: median(memory.batch) / median(memory.one),
      },
    ],
    notes: [`latencies ${JSON.stringify(ISSUE_LATENCIES)}; the handler invocation is timed`],
    details: { one, batch, memory },
  };
}

if (isMain(import.meta.url)) await figureMain(batchConcurrency);
