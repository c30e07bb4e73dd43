/** The cost arithmetic of issue #10's cost figure, against sums worked out by hand. */
import { describe, expect, it } from 'vitest';
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
} from '../../infra/bench/cost-model.ts';

describe('cost model (us-east-1 list prices)', () => {
  it('prices one event line by line', () => {
    const lines = eventCost({
      // A batch of 10 records: 1/10 of a 1,309.4 ms invocation, billed as 1,310 ms at 512 MB.
      lambda: [{ name: 'ProcessFunction', memoryMb: 512, invocations: 0.1, durationMs: 1309.4 }],
      httpApiRequests: 1,
      sqsRequests: 1.2,
      dynamoWriteUnits: 6,
      dynamoReadUnits: 0,
      logBytes: 2048,
    });
    // 0.1 × 0.5 GB × 1.310 s = 0.0655 GB-s × $0.0000133334
    expect(lines['Lambda ProcessFunction duration']).toBeCloseTo(8.7333770e-7, 13);
    expect(lines['Lambda ProcessFunction requests']).toBeCloseTo(2e-8, 15); // 0.1 × $0.20/M
    expect(lines['API Gateway HTTP API']).toBeCloseTo(1e-6, 15); // $1.00/M
    expect(lines['SQS requests']).toBeCloseTo(4.8e-7, 15); // 1.2 × $0.40/M
    expect(lines['DynamoDB writes']).toBeCloseTo(3.75e-6, 15); // 6 × $0.625/M
    expect(lines['DynamoDB reads']).toBe(0);
    expect(lines['CloudWatch Logs ingestion']).toBeCloseTo(9.5367431640625e-7, 15); // 2 KiB of $0.50/GiB
    expect(total(lines)).toBeCloseTo(7.07701201640625e-6, 12);
    // A million such events: $7.08.
    expect(total(scale(lines, 1e6))).toBeCloseTo(7.077012, 5);
  });

  it('rounds each invocation up to the millisecond', () => {
    const at = (durationMs: number) => eventCost({ lambda: [{ name: 'F', memoryMb: 1024, invocations: 1, durationMs }], httpApiRequests: 0, sqsRequests: 0, dynamoWriteUnits: 0, dynamoReadUnits: 0, logBytes: 0 })['Lambda F duration'];
    // 1 GB × 0.002 s = 0.002 GB-s × $0.0000133334 = $2.66668e-8, for 1.0001 ms as for 2 ms
    expect(at(1.0001)).toBeCloseTo(2.66668e-8, 15);
    expect(at(2)).toBeCloseTo(2.66668e-8, 15);
  });

  it('prices the monthly part and counts secret refreshes per cache period', () => {
    // 3 secrets over the containers, one refresh each per 300 s: 3 × 30 × 86,400 / 300 = 25,920 calls.
    expect(secretsCallsPerMonth(3, 1, 300)).toBe(25_920);
    const lines = monthlyCost({ secrets: 2, secretsCalls: 25_920, metricSeries: 10, idleSqsRequests: 648_000 });
    expect(lines).toEqual({
      'Secrets Manager secrets': 0.8,
      'Secrets Manager calls': expect.closeTo(0.1296, 10),
      'CloudWatch custom metrics': expect.closeTo(3, 10),
      'SQS idle polling': expect.closeTo(0.2592, 10),
    });
    expect(total(lines)).toBeCloseTo(4.1888, 10);
  });

  it('adds breakdowns line by line', () => {
    expect(add({ a: 1, b: 2 }, { b: 3, c: 4 })).toEqual({ a: 1, b: 5, c: 4 });
  });

  it('states its region and date', () => {
    expect(US_EAST_1.region).toBe('us-east-1');
    expect(US_EAST_1.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('prices the floor of the architecture: 2 webhooks per ticket, batches of 10, 2 Ledger writes per event', () => {
    const behindApi = floorPerMillionTickets({ httpApiRequestsPerWebhook: 1, eventsPerTicket: 2, batchSize: 10, ledgerWritesPerEvent: 2 });
    // 2 M webhooks × $1.00/M
    expect(behindApi['API Gateway HTTP API']).toBeCloseTo(2, 10);
    expect(total(behindApi)).toBeCloseTo(5.9, 10);
    // On the function URL, the same without API Gateway.
    const floor = floorPerMillionTickets({ httpApiRequestsPerWebhook: 0, eventsPerTicket: 2, batchSize: 10, ledgerWritesPerEvent: 2 });
    expect(floor['API Gateway HTTP API']).toBe(0);
    // 2 M × (1 send + 0.1 receive + 0.1 delete) = 2.4 M requests × $0.40/M
    expect(floor['SQS requests']).toBeCloseTo(0.96, 10);
    // 2 M × 2 WCU × $0.625/M
    expect(floor['DynamoDB writes']).toBeCloseTo(2.5, 10);
    // 2 M ingest + 0.2 M process invocations × $0.20/M
    expect(floor['Lambda requests']).toBeCloseTo(0.44, 10);
    expect(total(floor)).toBeCloseTo(3.9, 10);
  });

  it('works out how full a batch gets at a steady rate: what arrives in one window, 1 to BatchSize', () => {
    // A million tickets × 2 webhooks over 30 × 86,400 s = 0.7716 events a second.
    expect(eventsPerSecond(1e6, 2)).toBeCloseTo(0.771605, 6);
    // 1 s window: fewer than one event per window, so every invocation carries one.
    expect(recordsPerBatch(0.771605, { batchSize: 10, windowSeconds: 1 })).toBe(1);
    // 10 s window: 7.7 records; 20 s: capped at BatchSize.
    expect(recordsPerBatch(0.771605, { batchSize: 10, windowSeconds: 10 })).toBeCloseTo(7.71605, 5);
    expect(recordsPerBatch(0.771605, { batchSize: 10, windowSeconds: 20 })).toBe(10);
    // No window at all: Lambda invokes with what one receive returns, here 1.
    expect(recordsPerBatch(50, { batchSize: 10, windowSeconds: 0 })).toBe(1);
  });

  it('interpolates a per-event cost between batches of 1 and of 10, linear in 1/records', () => {
    // One line shared by the batch ($10 an invocation), one per event ($1), one only measured at 1.
    const atOne = { shared: 10, own: 1, onlyOne: 4 };
    const atTen = { shared: 1, own: 1 };
    expect(breakdownAtBatch(atOne, atTen, 10, 1)).toEqual({ shared: 10, own: 1, onlyOne: 4 });
    expect(breakdownAtBatch(atOne, atTen, 10, 10)).toEqual({ shared: 1, own: 1, onlyOne: 0 });
    // 5 records: $10 / 5 = $2 of the shared line; (1/5 − 1/10) / (1 − 1/10) = 1/9 of the line only measured at 1.
    const five = breakdownAtBatch(atOne, atTen, 10, 5);
    expect(five.shared).toBeCloseTo(2, 12);
    expect(five.own).toBeCloseTo(1, 12);
    expect(five.onlyOne).toBeCloseTo(4 / 9, 12);
  });
});
