/**
 * The readable log of `npm start` cannot be forged from a request (issue #13 finding 13):
 * `POST /webhooks/x%0AFORGED…%1B[2J` decoded into a new line and a terminal escape.
 */
import { describe, expect, it } from 'vitest';
import { printable, readableLine } from '../../infra/start.ts';

const record = (fields: Record<string, unknown>) => JSON.stringify({ level: 'WARN', message: 'rejected', timestamp: '2026-12-03T17:00:00.000Z', stage: 'rejected', ...fields });

describe('pretty log lines escape control characters', () => {
  it('a rejected line with a newline, ESC sequences, C1 and bidi controls stays one visible line', () => {
    const hostile = 'x\nFORGED 12:00:00.000  ✓ done\r\u001b[2J\u009b31m\u202eevil\u2028';
    const line = readableLine(record({ provider: hostile, status: 404, reason: 'unknown_provider', detail: `unknown provider "${hostile}"` }), new Map());
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[\p{Cc}\u2028\u2029\u202a-\u202e]/u);
    expect(line).toContain('x\\x0aFORGED');
    expect(line).toContain('\\x1b[2J');
    expect(line).toContain('\\u202e');
  });

  it('every outcome line is escaped, and ordinary text is unchanged', () => {
    const done = readableLine(JSON.stringify({ level: 'INFO', message: 'done', timestamp: 't', stage: 'done', eventId: 'e\n1', provider: 'generic', eventType: 'ticket.created', ticketId: 'T\u001b[1', durationMs: 5 }), new Map());
    expect(done).toContain('T\\x1b[1');
    expect(done).not.toContain('\u001b');
    expect(printable('généric → ✓ 200 (5 ms)')).toBe('généric → ✓ 200 (5 ms)');
  });
});

describe('pretty log lines of outcomes at INFO (issue #10: the stages are DEBUG lines)', () => {
  it('list the steps and write-backs the outcome line carries', () => {
    const line = readableLine(
      JSON.stringify({
        level: 'WARN',
        message: 'retry',
        timestamp: 't',
        stage: 'retry',
        eventId: 'generic:ticket.created:T-1',
        provider: 'generic',
        eventType: 'ticket.created',
        ticketId: 'T-1',
        reason: 'http_503',
        step: 'sentiment',
        steps: { classify: 12, route: 8 },
        stepsFailed: { sentiment: 'retry:http_503' },
        writeBacks: { 'dry-run:classify+route': 1 },
      }),
      new Map(),
    );
    expect(line).toContain('[classify, route, sentiment✗(http_503), dry-run]');
    expect(line).toContain('reason http_503 at sentiment');
  });
});
