/**
 * Figure 7 — cost per million tickets at AWS list prices (infra/bench/cost-model.ts: us-east-1,
 * read 2026-12-03), from resource use MEASURED here: signed webhooks through the real ingest
 * handler into fauxqs, Lambda's event source played as deployed (ReceiveMessage of up to
 * BatchSize 10, the ProcessFunction handler on dynalite, DeleteMessageBatch), a fake Simpli
 * answering classify 1 s, route 0.3 s, sentiment 1 s, QA 2 s (the guide's order of latencies).
 * Measured: each invocation's duration, the SQS and DynamoDB requests (SDK middleware), the
 * DynamoDB capacity units the emulator reports, every byte the handlers log (JSON + EMF, stdout and
 * stderr), the EMF metric series. Read from template.yaml (infra/bench/deployed-config.ts): each
 * function's memory and system log level. Taken from it by hand: arm64, DraftReplies default
 * (false), secrets cache (300 s). A ticket = one ticket.created + one ticket.resolved. Target ≤ $5.
 */
import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { toRecord } from '../../test/support/bridge-harness.ts';
import {
  add,
  breakdownAtBatch,
  eventCost,
  eventsPerSecond,
  floorPerMillionTickets,
  monthlyCost,
  recordsPerBatch,
  scale,
  secretsCallsPerMonth,
  total,
  US_EAST_1,
  type Breakdown,
  type EventUsage,
} from './cost-model.ts';
import { deployedBatching, deployedEndpoint, deployedFunctions, deployedMetricFilters, type DeployedFunction } from './deployed-config.ts';
import { figureMain, isMain, median, progress, type BenchRow, type FigureResult } from './common.ts';
import { queuedTicket, signedWebhookEvent, sqsRecord, ticketBody } from './fixtures.ts';
import { processMemoryProbe } from './memory-probe.ts';
import { startProcessRig, type Latencies, type ProcessRig } from './process-rig.ts';

/** The issue's Simpli latencies; the helpdesk write-back answers at once (not part of the brief's figures). */
export const COST_LATENCIES: Latencies = { classify: 1000, route: 300, sentiment: 1000, draft: 0, helpdesk: 0, qa: 2000 };
const BATCH = 10;
const TARGET_PER_MILLION = 5;
/** The volume the figure prices: a million tickets a month, each a ticket.created and a ticket.resolved. */
const TICKETS_PER_MONTH = 1e6;
const EVENTS_PER_TICKET = 2;
/** Batching windows the figure also prices, to show what the window trades (seconds). */
const WINDOWS = [0, 1, 5, 10, 15, 30] as const;
/** The memory probe's bodies: near ingest's 240 KB limit (MAX_BODY_BYTES), the largest batch the template allows. */
const LARGE_BODY_BYTES = 200 * 1024;
/** Lambda gives a function the equivalent of one vCPU at 1,769 MB, in proportion below (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). */
const MB_PER_VCPU = 1769;
/** The margin the memory is chosen with: peak RSS at most this share of MemorySize (the rest: GC slack, larger batches of retries). */
const PEAK_SHARE = 0.6;
/**
 * Lambda's own START, END and REPORT lines per invocation: about 330 bytes in the text format
 * (about 110 each). The template sets LoggingConfig LogFormat JSON + SystemLogLevel WARN, and
 * Lambda "only sends system logs at the selected level of detail and lower, where DEBUG is the
 * highest level and WARN is the lowest" (https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html);
 * these three are INFO (normal operation, https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html),
 * so a healthy invocation writes none of them.
 */
export function platformLogBytesPerInvocation(systemLogLevel: string | undefined): number {
  return systemLogLevel === 'WARN' ? 0 : 330;
}
/** Lambda runs 5 pollers per SQS event source; each long-polls (20 s) when the queue is empty. */
const IDLE_RECEIVES_PER_MONTH = 5 * 3 * 60 * 24 * 30;

/** Bytes and EMF series the handlers write to stdout and stderr (what Lambda ships to CloudWatch Logs). */
function stdoutMeter() {
  const series = new Set<string>();
  let bytes = 0;
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    const original = originals[i] as (...a: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      bytes += Buffer.byteLength(text);
      for (const line of text.split('\n')) {
        if (!line.startsWith('{"_aws"')) continue;
        const emf = JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } } & Record<string, unknown>;
        for (const directive of emf._aws.CloudWatchMetrics) {
          for (const dims of directive.Dimensions) {
            const values = dims.map((d) => `${d}=${String(emf[d])}`).join(',');
            for (const m of directive.Metrics) series.add(`${directive.Namespace}/${m.Name}{${values}}`);
          }
        }
      }
      return original(chunk, ...rest);
    }) as typeof stream.write;
  });
  return {
    take: () => {
      const b = bytes;
      bytes = 0;
      return b;
    },
    series,
    stop: () => {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    },
  };
}

function resolvedBody(ticketId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      event: 'ticket.resolved',
      ticket_id: ticketId,
      subject: 'Charged twice',
      customer_id: 'C-42',
      channel: 'email',
      messages: [
        { role: 'customer', content: 'I was charged twice for my subscription this month, please refund the second charge.' },
        { role: 'agent', content: 'Sorry about that! I have refunded the second charge; it will show within 5 days.' },
        { role: 'customer', content: 'Thank you.' },
      ],
    }),
  );
}

interface Measured {
  readonly ingestMs: number[];
  readonly ingestLogBytes: number;
  readonly ingestSqs: number;
  /** Per process invocation: its duration, record count and the CPU time this process spent in it. */
  readonly invocations: Array<{ ms: number; records: number; cpuMs: number }>;
  /** CPU time per ingest invocation. */
  readonly ingestCpuMs: number[];
  readonly processLogBytes: number;
  readonly eventSourceSqs: number;
  readonly processSqs: number;
  readonly capacity: { read: number; write: number };
  readonly dynamodbRequests: number;
  readonly events: number;
}

/** ticket.created's Simpli critical path at these latencies: classify → route beside sentiment. */
function criticalPathMsOf(l: Latencies): number {
  return Math.max(l.classify + l.route, l.sentiment);
}

/** CPU time (user + system) of this process since `from`, in ms: the handlers, and the fake Simpli and helpdesk beside them. */
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

async function receive(rig: ProcessRig, max: number): Promise<SQSRecord[]> {
  const out = await rig.eventSourceSqs.send(
    new ReceiveMessageCommand({ QueueUrl: rig.queueUrl, MaxNumberOfMessages: max, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
  );
  return (out.Messages ?? []).map(toRecord);
}

/** `events` webhooks of one kind through ingest, then delivered in batches of `batch`, as deployed. */
async function measure(rig: ProcessRig, meter: ReturnType<typeof stdoutMeter>, body: (id: string) => Buffer, events: number, batch: number): Promise<Measured> {
  rig.counts.clear();
  const capacityBefore = { ...rig.capacity };
  meter.take();
  const ingestMs: number[] = [];
  const ingestCpuMs: number[] = [];
  for (let i = 0; i < events; i++) {
    const webhook = signedWebhookEvent(body(`T-${randomUUID()}`));
    const started = performance.now();
    const cpu = process.cpuUsage();
    const response = await rig.ingest(webhook);
    ingestCpuMs.push(cpuMsSince(cpu));
    ingestMs.push(performance.now() - started);
    if (response.statusCode !== 202) throw new Error(`ingest answered ${response.statusCode}`);
  }
  const ingestLogBytes = meter.take();
  const invocations: Array<{ ms: number; records: number; cpuMs: number }> = [];
  let delivered = 0;
  while (delivered < events) {
    const records: SQSRecord[] = [];
    // fauxqs may hand out fewer than asked: fill the batch as Lambda's batching window does.
    for (let tries = 0; records.length < batch && tries < 5; tries++) records.push(...(await receive(rig, batch - records.length)));
    if (records.length === 0) break;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const response = await rig.process({ Records: records });
    invocations.push({ ms: performance.now() - started, records: records.length, cpuMs: cpuMsSince(cpu) });
    if (response.batchItemFailures.length > 0) throw new Error(`${response.batchItemFailures.length} records failed`);
    await rig.eventSourceSqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: rig.queueUrl, Entries: records.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }),
    );
    delivered += records.length;
  }
  if (delivered !== events) throw new Error(`delivered ${delivered} of ${events}`);
  const count = (prefix: string) => [...rig.counts].filter(([k]) => k.startsWith(`${prefix}:`)).reduce((n, [, v]) => n + v, 0);
  return {
    ingestMs,
    ingestCpuMs,
    ingestLogBytes,
    ingestSqs: count('ingestSqs'),
    invocations,
    processLogBytes: meter.take(),
    // Receives that fill one batch count once per batch here; Lambda's pollers do the same.
    eventSourceSqs: count('eventSource'),
    processSqs: count('processSqs'),
    capacity: { read: rig.capacity.read - capacityBefore.read, write: rig.capacity.write - capacityBefore.write },
    dynamodbRequests: count('dynamodb'),
    events,
  };
}

/** One event's use at a batch size, from a measurement. */
function usageOf(m: Measured, deployed: Record<string, DeployedFunction>, httpApiRequests: number): EventUsage {
  const perEvent = (n: number) => n / m.events;
  const invocations = m.invocations.length;
  const ingest = deployedOrThrow(deployed, 'IngestFunction');
  const processFn = deployedOrThrow(deployed, 'ProcessFunction');
  return {
    lambda: [
      { name: 'IngestFunction', memoryMb: ingest.memoryMb, invocations: 1, durationMs: median(m.ingestMs) },
      { name: 'ProcessFunction', memoryMb: processFn.memoryMb, invocations: perEvent(invocations), durationMs: median(m.invocations.map((i) => i.ms)) },
    ],
    httpApiRequests,
    // Each message is far below 64 KB: one request per call.
    sqsRequests: perEvent(m.ingestSqs + m.eventSourceSqs + m.processSqs),
    dynamoWriteUnits: perEvent(m.capacity.write),
    dynamoReadUnits: perEvent(m.capacity.read),
    logBytes: perEvent(
      m.ingestLogBytes +
        m.processLogBytes +
        m.events * platformLogBytesPerInvocation(ingest.systemLogLevel) +
        invocations * platformLogBytesPerInvocation(processFn.systemLogLevel),
    ),
  };
}

function deployedOrThrow(deployed: Record<string, DeployedFunction>, name: string): DeployedFunction {
  const fn = deployed[name];
  if (fn === undefined) throw new Error(`template.yaml has no ${name}; the cost figure prices the deployed functions`);
  return fn;
}

const dollars = (n: number) => Math.round(n * 1000) / 1000;

export async function cost(): Promise<FigureResult> {
  const deployed = deployedFunctions();
  const endpoint = deployedEndpoint();
  // API Gateway requests per webhook: none on the function URL.
  const apiRequests = endpoint === 'HttpApi' ? 1 : 0;
  const rig = await startProcessRig(COST_LATENCIES, { draftReplies: false });
  const meter = stdoutMeter();
  try {
    progress('cost: warm-up');
    await measure(rig, meter, (id) => ticketBody(id, 1024), 2, 1);
    const runs: Record<string, Measured> = {};
    for (const batch of [BATCH, 1]) {
      progress(`cost: ${BATCH} ticket.created and ${BATCH} ticket.resolved webhooks, delivered in batches of ${batch}`);
      runs[`created/${batch}`] = await measure(rig, meter, (id) => ticketBody(id, 1024), BATCH, batch);
      runs[`resolved/${batch}`] = await measure(rig, meter, resolvedBody, BATCH, batch);
    }
    progress(`cost: CPU, ${BATCH} ticket.created of ${LARGE_BODY_BYTES / 1024} KB in one batch`);
    const large = await measure(rig, meter, (id) => ticketBody(id, LARGE_BODY_BYTES), BATCH, BATCH);
    progress(`cost: memory, ProcessFunction's bundle in a fresh process, two batches of ${BATCH} × ${LARGE_BODY_BYTES / 1024} KB`);
    const largeBatch = () => ({ Records: Array.from({ length: BATCH }, () => sqsRecord(queuedTicket(`T-${randomUUID()}`, LARGE_BODY_BYTES))) });
    const processMb = deployedOrThrow(deployed, 'ProcessFunction').memoryMb;
    const maxOldSpaceMb = Math.floor(processMb / 2);
    const memory = await processMemoryProbe(rig, [largeBatch(), largeBatch()], { maxOldSpaceMb });
    if (memory.failures > 0) throw new Error(`the memory probe's batch had ${memory.failures} failed records`);
    const probe = { ...memory, processCpuMs: median(large.invocations.map((i) => i.cpuMs)), ingestCpuMs: median(large.ingestCpuMs) };
    const paths = new Set(rig.simpli.requests.map((r) => r.path));
    for (const p of ['/classify', '/route', '/analyze', '/evaluate']) if (!paths.has(p)) throw new Error(`no ${p} call was made`);

    const emitted = new Set([...meter.series].map((series) => series.slice(series.indexOf('/') + 1, series.indexOf('{'))));
    const filterSeries = deployedMetricFilters().filter((f) => f.emfFields.some((field) => emitted.has(field)));
    const monthlyWith = (metricSeries: number) =>
      monthlyCost({
        // WEBHOOK_SECRETS + HELPDESK_CONFIG.
        secrets: 2,
        // Ingest refreshes both secrets, Process one; one warm container each (≈ 0.8 events/s at a million tickets a month).
        secretsCalls: secretsCallsPerMonth(3, 1, 300),
        metricSeries,
        idleSqsRequests: IDLE_RECEIVES_PER_MONTH,
      });
    // EMF series, plus the template's metric filters over EMF values the run wrote (they get data too).
    const monthly = monthlyWith(meter.series.size + filterSeries.length);
    // DetailedMetrics=false: no EMF series; the metric filters' series still get data (the alarms).
    const monthlyPlain = monthlyWith(filterSeries.length);
    const rows: BenchRow[] = [];
    const details: Record<string, unknown> = {};
    const dominates: string[] = [];
    for (const batch of [BATCH, 1]) {
      const created = eventCost(usageOf(runs[`created/${batch}`] as Measured, deployed, apiRequests));
      const resolved = eventCost(usageOf(runs[`resolved/${batch}`] as Measured, deployed, apiRequests));
      const perMillion: Breakdown = add(scale(created, 1e6), scale(resolved, 1e6), monthly);
      const sorted = Object.entries(perMillion).sort((a, b) => b[1] - a[1]);
      const [topName, topValue] = sorted[0] ?? ['—', 0];
      rows.push({
        figure: '7 cost',
        metric: `AWS $ per million tickets (created + resolved) at a million a month, measured in batches of ${batch}${batch === 1 ? ' (every invocation one record)' : ' (every invocation full)'}; top: ${topName} ${((topValue / total(perMillion)) * 100).toFixed(0)} %`,
        unit: '$',
        measured: total(perMillion),
      });
      rows.push({
        figure: '7 cost',
        metric: `  of which per ticket (what a million more tickets add), batches of ${batch}; the rest is the fixed $${total(monthly).toFixed(2)} a month`,
        unit: '$',
        measured: (total(created) + total(resolved)) * 1e6,
      });
      rows.push({ figure: '7 cost', metric: `  per million ticket.created, batches of ${batch}`, unit: '$', measured: total(created) * 1e6 });
      rows.push({ figure: '7 cost', metric: `  per million ticket.resolved, batches of ${batch}`, unit: '$', measured: total(resolved) * 1e6 });
      dominates.push(
        `batches of ${batch}: ${sorted
          .slice(0, 5)
          .map(([k, v]) => `${k} $${v.toFixed(2)} (${((v / total(perMillion)) * 100).toFixed(0)} %)`)
          .join(', ')}`,
      );
      details[`batch ${batch}`] = {
        perMillionTickets: Object.fromEntries(sorted.map(([k, v]) => [k, dollars(v)])),
        createdUsage: usageOf(runs[`created/${batch}`] as Measured, deployed, apiRequests),
        resolvedUsage: usageOf(runs[`resolved/${batch}`] as Measured, deployed, apiRequests),
      };
    }
    // As deployed: how full a batch gets at this volume with the template's window decides between the two.
    const batching = deployedBatching();
    if (batching.batchSize !== BATCH) throw new Error(`template.yaml's BatchSize is ${batching.batchSize}; the cost figure measures batches of ${BATCH}: update BATCH`);
    const rate = eventsPerSecond(TICKETS_PER_MONTH, EVENTS_PER_TICKET);
    const perEventAt = (kind: 'created' | 'resolved', records: number) =>
      breakdownAtBatch(
        eventCost(usageOf(runs[`${kind}/1`] as Measured, deployed, apiRequests)),
        eventCost(usageOf(runs[`${kind}/${BATCH}`] as Measured, deployed, apiRequests)),
        BATCH,
        records,
      );
    const perMillionAt = (records: number): Breakdown => add(scale(perEventAt('created', records), 1e6), scale(perEventAt('resolved', records), 1e6), monthly);
    const records = recordsPerBatch(rate, batching);
    const asDeployed = perMillionAt(records);
    const [deployedTop, deployedTopValue] = Object.entries(asDeployed).sort((a, b) => b[1] - a[1])[0] ?? ['—', 0];
    rows.unshift({
      figure: '7 cost',
      metric: `AWS $ per million tickets at a million a month AS DEPLOYED: ${rate.toFixed(2)} events/s, batching window ${batching.windowSeconds} s → ${records.toFixed(1)} records per invocation (at most); top: ${deployedTop} ${((deployedTopValue / total(asDeployed)) * 100).toFixed(0)} %`,
      unit: '$',
      measured: total(asDeployed),
      target: `≤ $${TARGET_PER_MILLION}`,
      pass: total(asDeployed) <= TARGET_PER_MILLION,
    });
    dominates.unshift(
      `as deployed (${records.toFixed(1)} records per invocation): ${Object.entries(asDeployed)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([k, v]) => `${k} $${v.toFixed(2)} (${((v / total(asDeployed)) * 100).toFixed(0)} %)`)
        .join(', ')}`,
    );
    // Lambda starts five pollers on a queue (the IDLE_RECEIVES_PER_MONTH model): if they split a slow stream evenly, each batch holds a fifth.
    const splitRecords = recordsPerBatch(rate / 5, batching);
    const split = perMillionAt(splitRecords);
    const windowSweep = WINDOWS.map((w) => {
      const n = recordsPerBatch(rate, { batchSize: batching.batchSize, windowSeconds: w });
      return `${w} s → ${n.toFixed(1)} records, $${total(perMillionAt(n)).toFixed(1)}`;
    });
    // What a team pays a month at other volumes, as deployed: batches fill with the rate, the fixed part stays.
    const byVolume = [1e4, 1e5, 1e6, 1e7].map((tickets) => {
      const n = recordsPerBatch(eventsPerSecond(tickets, EVENTS_PER_TICKET), batching);
      const perTicket = (total(perEventAt('created', n)) + total(perEventAt('resolved', n))) * tickets;
      const month = perTicket + total(monthly);
      return `${tickets.toLocaleString('en-US')} tickets → ${n.toFixed(1)} records per invocation, $${month.toFixed(2)} a month ($${((month / tickets) * 1e6).toFixed(1)} per million)`;
    });
    details['as deployed'] = { eventsPerSecond: rate, batching, recordsPerInvocation: records, perMillionTickets: Object.fromEntries(Object.entries(asDeployed).map(([k, v]) => [k, dollars(v)])) };

    // What no tuning of this code removes (cost-model.ts floorPerMillionTickets): is ≤ $5 reachable?
    const floor = floorPerMillionTickets({ httpApiRequestsPerWebhook: apiRequests, eventsPerTicket: 2, batchSize: BATCH, ledgerWritesPerEvent: 2 });
    rows.push({
      figure: '7 cost',
      metric: `  floor of this architecture, batches of ${BATCH}: ${Object.entries(floor)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} $${v.toFixed(2)}`)
        .join(', ')}`,
      unit: '$',
      measured: total(floor),
    });
    rows.push({
      figure: '7 cost',
      metric: `ProcessFunction memory: peak RSS of its bundle (as sam build builds it, fresh Node process) over import + two batches of ${BATCH} × ${LARGE_BODY_BYTES / 1024} KB with V8's old space capped at ${maxOldSpaceMb} MB (after import ${probe.loadedRssMb.toFixed(0)} MB, heap at the end ${probe.heapUsedMb.toFixed(0)} MB); deployed ${processMb} MB`,
      unit: 'MB',
      measured: probe.peakRssMb,
      target: `≤ ${Math.round(processMb * PEAK_SHARE)} MB (${PEAK_SHARE * 100} % of MemorySize)`,
      pass: probe.peakRssMb <= processMb * PEAK_SHARE,
    });
    const c10 = runs[`created/${BATCH}`] as Measured;
    const r10 = runs[`resolved/${BATCH}`] as Measured;
    return {
      figure: '7 cost',
      rows,
      notes: [
        `what dominates, per million tickets: ${dominates.join('; ')}`,
        `a month as deployed, by volume (fixed part $${total(monthly).toFixed(2)}; above about 10 million tickets Lambda runs several containers, so secret refreshes grow a little): ${byVolume.join('; ')}`,
        `with DetailedMetrics=false (no EMF series, the alarms' ${filterSeries.length} filter series kept; log lines about 150 bytes shorter, not counted): the fixed part $${total(monthly).toFixed(2)} → $${total(monthlyPlain).toFixed(2)} a month, so $${(total(asDeployed) - total(monthly) + total(monthlyPlain)).toFixed(1)} per million tickets at a million a month, and 10,000 tickets $${((total(perEventAt('created', 1)) + total(perEventAt('resolved', 1))) * 1e4 + total(monthlyPlain)).toFixed(2)} a month`,
        `as deployed, the batch is an upper estimate (one poller gathers the whole stream): were Lambda's 5 pollers to split it evenly, ${splitRecords.toFixed(1)} records per invocation, $${total(split).toFixed(1)} per million tickets`,
        `the batching window, at ${rate.toFixed(2)} events/s (a batch holds what one window collects; each second of window is up to a second more before an event is processed): ${windowSweep.join('; ')}`,
        `CPU (this machine, one core): ProcessFunction's bundle alone, a batch of ${BATCH} × ${LARGE_BODY_BYTES / 1024} KB: ${probe.firstCpuMs.toFixed(0)} ms the first after import, ${probe.warmCpuMs.toFixed(0)} ms warm; in the rig (handlers + fake Simpli/helpdesk in one process) a batch of ${BATCH} created ${median(c10.invocations.map((i) => i.cpuMs)).toFixed(0)} ms, one ingest ${median(c10.ingestCpuMs).toFixed(1)} ms (${probe.ingestCpuMs.toFixed(1)} ms at ${LARGE_BODY_BYTES / 1024} KB). Lambda gives MemorySize/${MB_PER_VCPU} of a vCPU (${processMb} MB: ${(processMb / MB_PER_VCPU).toFixed(2)}), so a warm batch's CPU takes about ${((probe.warmCpuMs * MB_PER_VCPU) / processMb).toFixed(0)} ms there, against a ${criticalPathMsOf(COST_LATENCIES).toFixed(0)} ms Simpli critical path it overlaps`,
        `floor $${total(floor).toFixed(2)} per million tickets (2 webhooks → ${apiRequests * 2} API Gateway requests (endpoint ${endpoint}), 2 IngestFunction and 0.2 ProcessFunction invocations, 2.4 SQS requests, 4 Ledger WCU; no duration, logs, metrics or secrets): ${
          total(floor) <= TARGET_PER_MILLION
            ? `the ≤ $${TARGET_PER_MILLION} target leaves $${(TARGET_PER_MILLION - total(floor)).toFixed(2)} for all the rest`
            : `the ≤ $${TARGET_PER_MILLION} target is below it: out of reach without changing the architecture itself (a Ledger of fewer than claim + finish writes per event)`
        }`,
        `prices ${US_EAST_1.region}, list, read ${US_EAST_1.readOn} (infra/bench/cost-model.ts cites the pages); from template.yaml: endpoint ${endpoint}, ${Object.values(deployed).map((f) => `${f.name} ${f.memoryMb} MB`).join(', ')}, arm64, system log level ${deployedOrThrow(deployed, 'ProcessFunction').systemLogLevel ?? 'default (START/END/REPORT)'}; Simpli latencies ${JSON.stringify(COST_LATENCIES)}; DRAFT_REPLIES=false (template default)`,
        `measured per event (batches of ${BATCH}): created ${median(c10.invocations.map((i) => i.ms)).toFixed(0)} ms per invocation of ${BATCH}, ${(c10.capacity.write / c10.events).toFixed(1)} WCU, ${((c10.ingestLogBytes + c10.processLogBytes) / c10.events).toFixed(0)} log bytes; resolved ${median(r10.invocations.map((i) => i.ms)).toFixed(0)} ms, ${(r10.capacity.write / r10.events).toFixed(1)} WCU; ingest ${median(c10.ingestMs).toFixed(1)} ms warm`,
        `monthly, any traffic: ${Object.entries(monthly).map(([k, v]) => `${k} $${v.toFixed(2)}`).join(', ')} (${meter.series.size} EMF metric series seen, + ${filterSeries.length} metric-filter series over them: ${filterSeries.map((f) => f.metricName).join(', ')})`,
        'not counted: cold-start INIT time (billed since 2025-08; a few per day per function at this rate), log storage after 30 days (deleted), X-Ray (off by default), alarms ($0.10 each/month), data transfer, the free tier',
      ],
      details: { ...details, runs, memory: probe, metricSeries: [...meter.series] },
    };
  } finally {
    meter.stop();
    await rig.stop();
  }
}

if (isMain(import.meta.url)) await figureMain(cost);
