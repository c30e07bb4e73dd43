/**
 * The Simpli results → Zendesk API calls (helpdesks.md §1.4):
 * - tags through the Tags API, `PUT /api/v2/tickets/{id}/tags` — PUT *adds* (POST would replace),
 *   so tags the bridge does not own are never touched;
 * - one `PUT /api/v2/tickets/{id}` with the priority, the configured custom fields (by numeric
 *   id) and the internal note (`comment.public: false`), so one ticket update (rate-limited at 100
 *   per minute per account) carries them all.
 * Keys name the writes and the steps they carry: the Ledger runs each once.
 */
import type { HttpClient } from '../../http.ts';
import { summarizeResults, type Priority } from '../../write-back-summary.ts';
import type { ProviderContext, WriteBackInput, WriteBackOp } from '../types.ts';
import { ZENDESK_TIMEOUT_MS } from './api.ts';
import { zendeskSettings } from './settings.ts';

/** Simpli's priorities → Zendesk's `low`, `normal`, `high`, `urgent`. */
export const ZENDESK_PRIORITIES = {
  low: 'low',
  medium: 'normal',
  high: 'high',
  urgent: 'urgent',
} as const satisfies Record<Priority, string>;

export function zendeskWriteBack(input: WriteBackInput, { settings }: ProviderContext): WriteBackOp[] {
  const config = zendeskSettings(settings);
  const summary = summarizeResults(input, config.tagPrefix === undefined ? {} : { tagPrefix: config.tagPrefix });
  if (summary.steps.length === 0) return [];
  const steps = summary.steps.join('+');
  const ticketUrl = `${config.baseUrl}/api/v2/tickets/${encodeURIComponent(input.event.ticketId)}`;
  const put = (http: HttpClient, url: string, json: unknown) =>
    http.request({ service: 'zendesk', method: 'PUT', url, headers: { authorization: config.authorization }, json, timeoutMs: ZENDESK_TIMEOUT_MS });

  const ops: WriteBackOp[] = [];
  if (summary.tags.length > 0) {
    const tags = [...summary.tags];
    ops.push({ key: `tags:${steps}`, run: async (http) => void (await put(http, `${ticketUrl}/tags`, { tags })) });
  }

  const customFields = Object.entries(summary.fields).flatMap(([name, value]) => {
    const id = config.customFields[name];
    return id === undefined ? [] : [{ id, value }];
  });
  const note = config.writeNotes ? summary.note : undefined;
  const ticket = {
    ...(note === undefined ? {} : { comment: { body: note, public: false } }),
    ...(summary.priority === undefined ? {} : { priority: ZENDESK_PRIORITIES[summary.priority] }),
    ...(customFields.length === 0 ? {} : { custom_fields: customFields }),
  };
  if (Object.keys(ticket).length > 0) {
    const noted = note === undefined ? [] : summary.noteSteps;
    ops.push({ key: `ticket:${steps}`, noted, run: async (http) => void (await put(http, ticketUrl, { ticket })) });
  }
  return ops;
}
