/**
 * What the bridge writes back, independent of any helpdesk: tags, priority, custom fields and the
 * internal note, derived from the Simpli results that have succeeded so far. Each provider turns
 * this into its own API calls (how), so every helpdesk gets the same content (what).
 */
import type { StepResults, WriteBackInput } from './providers/types.ts';

/** Simpli's Priority enum (core library). */
export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Every note the bridge writes starts with this, so its echo as a webhook is recognised and ignored. */
export const NOTE_MARKER = '[Simpli AI]';
export const MANUAL_TRIAGE_TAG = 'needs-manual-triage';
export const ESCALATION_TAG = 'escalation-risk';
/** Sentiment's documented alert threshold. */
export const ESCALATION_RISK_THRESHOLD = 0.5;

export interface WriteBackSummary {
  /** Tags to add (never replaces existing tags); lower-case, hyphenated. */
  readonly tags: readonly string[];
  /** Set only when Triage is confident enough. */
  readonly priority: Priority | undefined;
  /** ai_* field name → value; only fields whose step has succeeded. */
  readonly fields: Readonly<Record<string, string | number>>;
  /** Internal note text, starting with NOTE_MARKER; undefined when there is nothing new to say. */
  readonly note: string | undefined;
  /** The steps the note reports (those not in `WriteBackInput.notedSteps`). */
  readonly noteSteps: readonly string[];
  /** Which steps this summary carries, sorted: the write-back's identity in the Ledger. */
  readonly steps: readonly string[];
}

/** Urgency words seen from Triage → Simpli's Priority enum; unknown words set no priority. */
export function priorityFromUrgency(urgency: string): Priority | undefined {
  const u = urgency.trim().toLowerCase();
  if ((PRIORITIES as readonly string[]).includes(u)) return u as Priority;
  if (u === 'critical' || u === 'emergency') return 'urgent';
  if (u === 'normal' || u === 'moderate') return 'medium';
  if (u === 'minor') return 'low';
  return undefined;
}

export function tagify(value: string, prefix = ''): string {
  const slug = value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${prefix}${slug}`;
}

/** Derives the write-back content; `tagPrefix` (e.g. "ai-") namespaces the tags the bridge owns. */
export function summarizeResults(input: WriteBackInput, options: { tagPrefix?: string } = {}): WriteBackSummary {
  const { results, confidenceThreshold } = input;
  const prefix = options.tagPrefix ?? '';
  const noted = new Set(input.notedSteps ?? []);
  const lines: string[] = [];
  const noteSteps: string[] = [];
  /** A note line for `step`, unless an earlier note already said it. */
  const say = (step: string, line: string) => {
    if (noted.has(step)) return;
    lines.push(line);
    noteSteps.push(step);
  };
  let priority: Priority | undefined;

  // Results older than what the ticket shows (lib/ordering.ts) are reported in the note only.
  const stale = new Set(input.staleSteps ?? []);
  const tags: string[] = [];
  const fields: Record<string, string | number> = {};
  /** Tags and fields of `step`: dropped when the step's result is stale. */
  const sink = (step: string) => (stale.has(step) ? { tags: [] as string[], fields: {} as Record<string, string | number> } : { tags, fields });

  const { classify, route, sentiment, draft, qa } = results;
  if (classify !== undefined) {
    const { tags, fields } = sink('classify');
    tags.push(tagify(classify.category, prefix));
    fields.ai_category = classify.category;
    // The guide reads `.get("priority")`; older answers say `urgency`.
    const urgency = classify.priority ?? classify.urgency;
    if (urgency !== undefined) fields.ai_urgency = urgency;
    const { confidence } = classify;
    if (confidence !== undefined) fields.ai_confidence = confidence;
    const confidenceText = confidence === undefined ? '' : ` (confidence ${confidence.toFixed(2)})`;
    // Without a confidence the answer is taken as given, as the guide does.
    if (confidence === undefined || confidence >= confidenceThreshold) {
      if (!stale.has('classify')) priority = urgency === undefined ? undefined : priorityFromUrgency(urgency);
      say('classify', `Triage: ${classify.category}${urgency === undefined ? '' : `, urgency ${urgency}`}${confidenceText}.`);
    } else {
      tags.push(tagify(MANUAL_TRIAGE_TAG, prefix));
      say('classify', `Triage: ${classify.category}? Confidence ${confidence.toFixed(2)} is below ${confidenceThreshold}: needs manual triage.`);
    }
  }
  if (route !== undefined) {
    const { tags, fields } = sink('route');
    tags.push(tagify(`team-${route.team}`, prefix));
    fields.ai_team = route.team;
    // `agent: null` means nobody is on shift: no agent field, and the note says so.
    if (typeof route.agent === 'string' && route.agent !== '') fields.ai_agent = route.agent;
    const agent = typeof route.agent === 'string' && route.agent !== '' ? `agent ${route.agent}` : 'no agent assigned';
    say('route', `Routing: team ${route.team}, ${agent}${route.reason ? ` (${route.reason})` : ''}.`);
  }
  if (sentiment !== undefined) {
    const { tags, fields } = sink('sentiment');
    tags.push(tagify(sentiment.label, prefix));
    fields.ai_sentiment = sentiment.score;
    fields.ai_sentiment_label = sentiment.label;
    const risk = sentiment.escalation_risk;
    if (risk !== undefined) fields.ai_escalation_risk = risk;
    if (risk !== undefined && risk >= ESCALATION_RISK_THRESHOLD) tags.push(tagify(ESCALATION_TAG, prefix));
    const triggers = sentiment.triggers ?? [];
    say(
      'sentiment',
      `Sentiment: ${sentiment.label} (${sentiment.score.toFixed(2)})${risk === undefined ? '' : `, escalation risk ${risk.toFixed(2)}`}` +
        (triggers.length > 0 ? `, triggers: ${triggers.join(', ')}.` : '.'),
    );
  }
  if (qa !== undefined) {
    const { fields } = sink('qa');
    fields.ai_qa_score = qa.score;
    say('qa', `QA score: ${qa.score}${qa.summary ? ` — ${withoutTrailingDots(qa.summary)}` : ''}.`);
  }
  if (draft !== undefined) {
    say('draft', `Suggested reply (draft ${draft.draft_id}, confidence ${draft.confidence.toFixed(2)}):\n${draft.draft}`);
  }

  return {
    tags: [...new Set(tags)].filter((t) => t !== prefix),
    priority,
    fields,
    note: lines.length > 0 ? `${NOTE_MARKER}\n${lines.join('\n')}` : undefined,
    noteSteps,
    steps: completedSteps(results),
  };
}

/**
 * The text without its trailing dots and blanks. A loop, not `/[.\s]+$/`: that regex retries from
 * every dot or blank of a long run that does not end the text, quadratically (red-team pass).
 */
export function withoutTrailingDots(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || /\s/.test(text[end - 1] ?? ''))) end--;
  return text.slice(0, end);
}

export function completedSteps(results: StepResults): string[] {
  return Object.entries(results)
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name)
    .sort();
}

/** True for text the bridge itself wrote (its notes echoed back as webhooks). */
export function isBridgeNote(text: string | undefined): boolean {
  return (text ?? '').trimStart().replace(/^<[^>]*>/, '').trimStart().startsWith(NOTE_MARKER);
}
