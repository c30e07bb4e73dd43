/**
 * The Simpli results → Freshdesk API calls (helpdesks.md §2.4):
 * - `PUT /api/v2/tickets/{id}` with `priority` (1–4), the configured `custom_fields` (`cf_*`) and
 *   the tags. Only the fields sent change, but `tags` replaces the whole list (Pipedream's
 *   Freshdesk "Set Ticket Tags" action documents it; no additive endpoint exists), so the op first
 *   reads the ticket and sends its tags plus ours. A tag an agent adds in the instant between the
 *   GET and the PUT could be lost; Freshdesk offers no conditional update to close that window.
 * - `POST /api/v2/tickets/{id}/notes` with `private: true` for the note.
 * Keys name the writes and the steps they carry: the Ledger runs each once.
 */
import { summarizeResults, type Priority } from '../../write-back-summary.ts';
import type { ProviderContext, WriteBackInput, WriteBackOp } from '../types.ts';
import { FRESHDESK_TIMEOUT_MS, fetchTicket } from './api.ts';
import { tagsOf } from './fields.ts';
import { freshdeskSettings } from './settings.ts';
import { pathSegment } from '../../ticket-id.ts';

/** Simpli's priorities → Freshdesk's 1=Low, 2=Medium, 3=High, 4=Urgent. */
export const FRESHDESK_PRIORITIES = { low: 1, medium: 2, high: 3, urgent: 4 } as const satisfies Record<Priority, number>;

export function freshdeskWriteBack(input: WriteBackInput, { settings }: ProviderContext): WriteBackOp[] {
  const config = freshdeskSettings(settings);
  const summary = summarizeResults(input, config.tagPrefix === undefined ? {} : { tagPrefix: config.tagPrefix });
  if (summary.steps.length === 0) return [];
  const steps = summary.steps.join('+');
  const ticketUrl = `${config.baseUrl}/api/v2/tickets/${pathSegment(input.event.ticketId)}`;
  const headers = { authorization: config.authorization };
  const ops: WriteBackOp[] = [];

  const customFields: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(summary.fields)) {
    const field = config.customFields[name];
    if (field !== undefined) customFields[field] = value;
  }
  const hasFields = Object.keys(customFields).length > 0;
  if (summary.tags.length > 0 || summary.priority !== undefined || hasFields) {
    ops.push({
      key: `ticket:${steps}`,
      run: async (http) => {
        let tags: string[] | undefined;
        if (summary.tags.length > 0) {
          const current = tagsOf((await fetchTicket(http, config, input.event.ticketId)).tags);
          const missing = summary.tags.filter((t) => !current.includes(t));
          if (missing.length > 0) tags = [...current, ...missing];
        }
        const json = {
          ...(summary.priority === undefined ? {} : { priority: FRESHDESK_PRIORITIES[summary.priority] }),
          ...(tags === undefined ? {} : { tags }),
          ...(hasFields ? { custom_fields: customFields } : {}),
        };
        if (Object.keys(json).length === 0) return;
        await http.request({ service: 'freshdesk', method: 'PUT', url: ticketUrl, headers, json, timeoutMs: FRESHDESK_TIMEOUT_MS });
      },
    });
  }

  if (config.writeNotes && summary.note !== undefined) {
    // Notes are HTML; the text starts with NOTE_MARKER so its echo is recognised.
    const body = escapeHtml(summary.note).replaceAll('\n', '<br>');
    ops.push({
      key: `note:${steps}`,
      noted: summary.noteSteps,
      run: async (http) => {
        await http.request({ service: 'freshdesk', method: 'POST', url: `${ticketUrl}/notes`, headers, json: { body, private: true }, timeoutMs: FRESHDESK_TIMEOUT_MS });
      },
    });
  }
  return ops;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
