import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/bridge-harness.ts';
import { computeFigures, createConsumer, createRecorder, genericEventId, pollOnce, printFigures, readAll, runPollers, signGeneric, sleep, ticketBody } from '../support/fault-kit.ts';
import type { CrashConsumerConfig } from './crash-consumer.ts';

const STEPS = ['classify', 'route', 'sentiment'] as const;
/** Short lease and visibility so the redelivery comes within seconds (production: 100 s / 540 s). */
const LEASE_SECONDS = 2;
const VISIBILITY_SECONDS = 3;

describe('fault: the consumer crashes mid-event', () => {
  let h: Harness;
  let child: ChildProcess | undefined;
  const recorder = createRecorder({ timeoutMs: 60_000 });
  beforeAll(async () => {
    h = await startHarness({ simpli: recorder.simpli, helpdesk: recorder.helpdesk, maxReceiveCount: 5 });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await h?.stop();
  });

  async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  it('a SIGKILLed consumer’s batch is redelivered and finished without repeating a finished step or write-back, once the short lease expires', async () => {
    // C-4's /route hangs while the crash is armed: by then its classify and sentiment are done.
    let armed = true;
    recorder.misbehaveSimpli(({ service, ticketId }) => (armed && service === 'route' && ticketId === 'C-4' ? { status: 200, json: {}, delayMs: 120_000 } : undefined));
    const tickets = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      const body = ticketBody(`C-${i}`);
      expect((await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) })).statusCode).toBe(202);
      tickets.set(`C-${i}`, genericEventId(`C-${i}`));
    }

    const config: CrashConsumerConfig = {
      sqsEndpoint: h.emulators.sqsEndpoint,
      dynamodbEndpoint: h.emulators.dynamodbEndpoint,
      queueUrl: h.queueUrl,
      deadLetterQueueUrl: h.deadLetterQueueUrl,
      tableName: h.tableName,
      simpliUrl: h.simpli.url,
      helpdeskUrl: h.helpdesk.url,
      leaseSeconds: LEASE_SECONDS,
      visibilitySeconds: VISIBILITY_SECONDS,
      maxReceiveCount: 5,
    };
    const script = fileURLToPath(new URL('./crash-consumer.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--no-warnings', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));

    // Mid-event: four events done and written back, C-4 with two steps in the Ledger and /route in flight
    // (with a 2 s lease each result is written as it comes: README, "The Ledger").
    await waitFor('the child to reach C-4’s /route', async () => {
      if (proc.exitCode !== null) throw new Error(`the consumer exited early: ${output}`);
      const c4 = await h.ledger.get(genericEventId('C-4'));
      const others = await Promise.all([0, 1, 2, 3].map((i) => h.ledger.get(genericEventId(`C-${i}`))));
      return (
        others.every((r) => r?.status === 'done') &&
        c4?.steps.classify !== undefined &&
        c4.steps.sentiment !== undefined &&
        recorder.calls.some((c) => c.service === 'route' && c.ticketId === 'C-4')
      );
    });
    const killedAtMs = Date.now();
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(output).toContain('received 5');
    expect(output).not.toContain('finished');
    const before = await h.ledger.get(genericEventId('C-4'));
    expect(before).toMatchObject({ status: 'processing', attempts: 1 });
    armed = false;

    // The batch was never deleted: SQS hands all five back after the visibility timeout.
    expect(await h.queueDepth()).toMatchObject({ inFlight: 5 });
    await runPollers(h, createConsumer(h, { maxReceiveCount: 5, leaseSeconds: 60 }), { concurrency: 1, timeoutMs: 30_000 });
    const resumedInMs = Date.now() - killedAtMs;

    const figures = computeFigures({ sent: 5, accepted: 5, tickets, recorder, plannedSteps: STEPS, deadLettered: await readAll(h.sqs, h.deadLetterQueueUrl) });
    printFigures('crash mid-event', figures, { killedMidEvent: 'C-4 (classify+sentiment done, route in flight)', redeliveredAndFinishedInMs: resumedInMs });

    expect(figures.lost).toBe(0);
    expect(figures.processedTwice).toBe(0);
    expect(figures.processed).toBe(5);
    for (let i = 0; i < 5; i++) {
      expect(recorder.ok('classify', `C-${i}`)).toHaveLength(1);
      expect(recorder.ok('sentiment', `C-${i}`)).toHaveLength(1);
      expect(recorder.ok('helpdesk', `C-${i}`)).toHaveLength(1);
    }
    // The route call cut off by the crash is the one call made again (it never answered).
    expect(recorder.calls.filter((c) => c.service === 'route' && c.ticketId === 'C-4').map((c) => c.outcome)).toEqual(['timeout', 'ok']);
    expect(await h.ledger.get(genericEventId('C-4'))).toMatchObject({ status: 'done', attempts: 2 });
    for (let i = 0; i < 4; i++) expect((await h.ledger.get(genericEventId(`C-${i}`)))?.attempts).toBe(1);
    expect(resumedInMs).toBeLessThan(15_000);
  });

  it('an invocation that runs out of time stops at its deadline, and the next delivery finishes without repeating what was done', async () => {
    recorder.reset();
    recorder.misbehaveSimpli(({ service, ticketId, nth }) => (service === 'route' && ticketId === 'T-4' && nth === 1 ? { status: 200, json: {}, delayMs: 5_000 } : undefined));
    const tickets = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      const body = ticketBody(`T-${i}`);
      expect((await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) })).statusCode).toBe(202);
      tickets.set(`T-${i}`, genericEventId(`T-${i}`));
    }
    const consumer = createConsumer(h, { maxReceiveCount: 5, timeoutMs: 60_000 });
    // 5.8 s left, minus the handler's 5 s safety margin: 800 ms for this invocation's calls.
    const startedMs = Date.now();
    await pollOnce(h, consumer, { maxMessages: 10, remainingMs: 5_800 });
    const invocationMs = Date.now() - startedMs;
    expect(await h.ledger.get(genericEventId('T-4'))).toMatchObject({ status: 'retrying', lastError: { reason: 'timeout', step: 'route' } });
    await runPollers(h, consumer, { concurrency: 1, timeoutMs: 30_000 });

    const figures = computeFigures({ sent: 5, accepted: 5, tickets, recorder, plannedSteps: STEPS, deadLettered: await readAll(h.sqs, h.deadLetterQueueUrl) });
    printFigures('invocation timeout', figures, { firstInvocationMs: invocationMs });
    expect(invocationMs).toBeLessThan(2_000);
    expect(figures.lost).toBe(0);
    expect(figures.processedTwice).toBe(0);
    expect(figures.processed).toBe(5);
    expect(recorder.ok('classify', 'T-4')).toHaveLength(1);
    expect(recorder.ok('sentiment', 'T-4')).toHaveLength(1);
    // The first write carried what was done (classify+sentiment); the second adds route.
    expect(recorder.ok('helpdesk', 'T-4').map((c) => c.carries)).toEqual(['classify+sentiment', 'classify+route+sentiment']);
  });
});
