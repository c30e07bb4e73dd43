/**
 * Per-ticket ordering (issue #11, "Ordering"): the events of one ticket may be processed in any
 * order, and old events may be redelivered after new ones. These pure rules decide which results
 * of an event may still change the ticket's fields; the Ledger's per-ticket state item
 * (`ticketStates` in ledger.ts) stores what they compare against, with conditional writes.
 *
 * - Each event is placed on the ticket's timeline by its helpdesk timestamp (`occurredAt`, see
 *   each provider's normalize.ts), else by the time the bridge received it.
 * - Fields come in groups: triage (category, urgency, priority, team, agent, their tags and the
 *   manual-triage tag), sentiment (score, label, escalation risk and their tags), QA (the score).
 *   A group is written only by an event at least as new as the one that last wrote it; results of
 *   an older event go into the internal note only. Notes are history, so every event gets its own.
 * - A resolution closes the ticket at its time: it also claims the triage and sentiment groups, so
 *   a `ticket.created` (or an older customer message) processed after it adds its note but neither
 *   re-routes, re-prioritises nor re-tags the closed ticket. A message newer than the resolution
 *   (a reopened ticket) writes as usual.
 * - Ties on the timestamp are broken by the event id, so the outcome never depends on the order in
 *   which two events of the same instant are processed; an event always wins against its own mark,
 *   so a retried or redriven event decides exactly as its first attempt did.
 */
import { at } from './mapping.ts';
import type { StepName } from './steps.ts';
import type { EventType, StepResults } from './providers/types.ts';

export const FIELD_GROUPS = ['triage', 'sentiment', 'qa'] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

/** The steps whose results each group's fields and tags come from (drafts are note-only). */
export const GROUP_STEPS: Readonly<Record<FieldGroup, readonly StepName[]>> = {
  triage: ['classify', 'route'],
  sentiment: ['sentiment'],
  qa: ['qa'],
};

/** A point on a ticket's timeline: the helpdesk time of an event, and the event (tie-break). */
export interface TicketMark {
  readonly atMs: number;
  readonly eventId: string;
}

/** What the Ledger knows of a ticket: the mark of the event that last wrote each group. */
export interface TicketState {
  readonly marks: Readonly<Partial<Record<FieldGroup, TicketMark>>>;
  /** The newest resolution processed. */
  readonly resolved: TicketMark | undefined;
}

export interface OrderingDecision {
  /** Steps whose results are older than what the ticket shows: reported in the note only. */
  readonly staleSteps: readonly StepName[];
  /** The marks to record once the write-back has succeeded. */
  readonly advance: Readonly<Partial<Record<FieldGroup, TicketMark>>>;
  /** Set for a resolution newer than any processed so far. */
  readonly resolved: TicketMark | undefined;
}

/** True when `a` is at least as new as `b` (the same mark included). */
export function isAtLeast(a: TicketMark, b: TicketMark | undefined): boolean {
  if (b === undefined) return true;
  return a.atMs > b.atMs || (a.atMs === b.atMs && a.eventId >= b.eventId);
}

/** True when the newest thing that happened to the ticket, as far as the Ledger knows, is its resolution. */
export function isKnownResolved(state: TicketState): boolean {
  const { resolved } = state;
  if (resolved === undefined) return false;
  return FIELD_GROUPS.every((group) => isAtLeast(resolved, state.marks[group]));
}

/** Which of `results` may be written as fields, and which marks the event advances. */
export function decideOrdering(state: TicketState, event: { eventType: EventType } & TicketMark, results: StepResults): OrderingDecision {
  const mark: TicketMark = { atMs: event.atMs, eventId: event.eventId };
  const staleSteps: StepName[] = [];
  const advance: Partial<Record<FieldGroup, TicketMark>> = {};
  for (const group of FIELD_GROUPS) {
    const steps = GROUP_STEPS[group].filter((step) => results[step] !== undefined);
    const closes = event.eventType === 'ticket.resolved' && group !== 'qa';
    if (steps.length === 0 && !closes) continue;
    if (isAtLeast(mark, state.marks[group])) advance[group] = mark;
    else staleSteps.push(...steps);
  }
  const resolved = event.eventType === 'ticket.resolved' && isAtLeast(mark, state.resolved) ? mark : undefined;
  return { staleSteps, advance, resolved };
}

/** How far a helpdesk clock may run ahead of ours before its timestamp is not believed. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The timestamp an event is ordered by: its helpdesk time when known, else when the bridge received
 * it. An event cannot have happened after the bridge received it: a helpdesk time later than that
 * (beyond clock skew) is a sender's error, and believing it would freeze the ticket's fields until
 * that date, so the receipt time is used instead.
 */
export function orderingTimeMs(occurredAt: string | undefined, receivedAt: string): number {
  const helpdesk = occurredAt === undefined ? Number.NaN : Date.parse(occurredAt);
  const parsed = Date.parse(receivedAt);
  const received = Number.isFinite(parsed) ? parsed : undefined;
  if (Number.isFinite(helpdesk) && (received === undefined || helpdesk <= received + MAX_CLOCK_SKEW_MS)) return helpdesk;
  return received ?? 0;
}

/** Longest timestamp text looked at: ISO-8601 with offset and fractions fits well within it. */
const MAX_TIME_TEXT = 40;

/**
 * A helpdesk timestamp → ISO-8601 UTC, or undefined when absent or unreadable. `unit` says how a
 * number is to be read (Intercom sends Unix seconds, HubSpot milliseconds); `auto` reads numbers
 * above 10^11 as milliseconds (later than 1973 in ms, later than year 5138 in seconds).
 */
export function helpdeskTime(value: unknown, unit: 'seconds' | 'ms' | 'auto' = 'auto'): string | undefined {
  let ms: number;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{1,16}(\.\d{1,6})?$/.test(value.trim()))) {
    const n = Number(value);
    const asMs = unit === 'ms' || (unit === 'auto' && n > 1e11);
    ms = asMs ? n : n * 1000;
  } else if (typeof value === 'string' && value.length <= MAX_TIME_TEXT && /^\d{4}-\d{2}-\d{2}T/.test(value.trim())) {
    ms = Date.parse(value.trim());
  } else {
    return undefined;
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > 253_402_300_799_999) return undefined;
  return new Date(Math.floor(ms)).toISOString();
}

/** The first of `paths` in `payload` that reads as a helpdesk timestamp. */
export function firstTime(payload: unknown, paths: readonly string[], unit: 'seconds' | 'ms' | 'auto' = 'auto'): string | undefined {
  for (const path of paths) {
    const time = helpdeskTime(at(payload, path), unit);
    if (time !== undefined) return time;
  }
  return undefined;
}
