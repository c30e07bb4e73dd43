/**
 * The `npm start` stack (infra/start.ts) in its own process for figure 5, quiet, with the Simpli
 * simulator at zero latency and write-backs dry-run to a scratch file. Prints `{"url"}` once; each
 * `stats` line on stdin is answered with the poller's counters as one JSON line.
 */
import { createInterface } from 'node:readline';
import { startLocalStack } from '../start.ts';

const stdout = process.stdout.write.bind(process.stdout);
const stack = await startLocalStack({
  port: 0,
  logFormat: 'silent',
  simulator: { latency: 0 },
  env: { HELPDESK_DRY_RUN_FILE: process.env.BENCH_DRY_RUN_FILE ?? '/dev/null' },
});
stdout(`${JSON.stringify({ url: stack.url })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'stats') stdout(`${JSON.stringify({ ...stack.poller.stats, inFlight: stack.poller.inFlight, atMs: Date.now() })}\n`);
});
lines.once('close', () => {
  void stack.stop().finally(() => process.exit(0));
});
