/**
 * Write-back through the CRM API (helpdesks.md §5.4), with the content of lib/write-back-summary.ts:
 * - one `PATCH /crm/v3/objects/tickets/{id}` with `{properties}` holding ONLY properties the bridge
 *   owns: the ai_* properties (names from `customFields`), `hs_ticket_priority` from Triage's
 *   urgency when it is confident, and the tags property (HubSpot has no ticket tags: a property of
 *   `;`-separated values, read → merged → written, so values others set are kept);
 * - an internal note: `POST /crm/v3/objects/notes` associated with the ticket (HUBSPOT_DEFINED 228).
 * Op keys carry the steps they write, so the Ledger never repeats one and a retry with more results
 * writes the rest.
 */
import { summarizeResults } from '../../write-back-summary.ts';
import type { ProviderContext, WriteBackInput, WriteBackOp } from '../types.ts';
import { createHubSpotApi, createPacer } from './api.ts';
import { pathSegment } from '../../ticket-id.ts';
import { readSettings, requireAuth } from './settings.ts';

/** "hs_note_body … limited to 65,536 characters" (notes guide). */
export const MAX_NOTE_BODY_CHARS = 65_536;
/** HubSpot's separator for multi-value (checkbox) properties. */
export const MULTI_VALUE_SEPARATOR = ';';

export function writeBackHubSpot(input: WriteBackInput, { settings: raw }: ProviderContext): readonly WriteBackOp[] {
  const settings = readSettings(raw);
  const summary = summarizeResults(input, settings.tagPrefix === undefined ? {} : { tagPrefix: settings.tagPrefix });
  if (summary.steps.length === 0) return [];
  const token = requireAuth(settings);
  const steps = summary.steps.join('+');
  const ticketPath = `/crm/v3/objects/tickets/${pathSegment(input.event.ticketId)}`;
  // One pacer per event, shared by its calls, so a spent rate-limit window delays the next one.
  const pacer = createPacer();

  const properties: Record<string, string> = {};
  for (const [field, value] of Object.entries(summary.fields)) {
    const property = settings.customFields[field];
    if (property !== undefined) properties[property] = String(value);
  }
  if (summary.priority !== undefined) properties.hs_ticket_priority = settings.priorityValues[summary.priority];
  const tagsProperty = settings.tagsProperty;
  const tags = tagsProperty === undefined ? [] : summary.tags;

  const ops: WriteBackOp[] = [];
  if (Object.keys(properties).length > 0 || tags.length > 0) {
    ops.push({
      key: `properties:${steps}`,
      run: async (http) => {
        const api = createHubSpotApi(http, settings.baseUrl, token, pacer);
        const update = { ...properties };
        if (tagsProperty !== undefined && tags.length > 0) {
          const current = await api.get(`${ticketPath}?properties=${encodeURIComponent(tagsProperty)}`);
          const existing = splitValues((current as { properties?: Record<string, unknown> }).properties?.[tagsProperty]);
          if (tags.some((tag) => !existing.includes(tag))) update[tagsProperty] = [...new Set([...existing, ...tags])].join(MULTI_VALUE_SEPARATOR);
        }
        if (Object.keys(update).length > 0) await api.send('PATCH', ticketPath, { properties: update });
      },
    });
  }
  if (settings.writeNotes && summary.note !== undefined) {
    const noteBody = noteHtml(summary.note);
    ops.push({
      key: `note:${steps}`,
      noted: summary.noteSteps,
      run: async (http) => {
        const api = createHubSpotApi(http, settings.baseUrl, token, pacer);
        await api.send('POST', '/crm/v3/objects/notes', {
          // hs_timestamp is required: when the note is shown on the ticket's timeline.
          properties: { hs_timestamp: new Date().toISOString(), hs_note_body: noteBody },
          associations: [
            {
              to: { id: input.event.ticketId },
              types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: settings.noteAssociationTypeId }],
            },
          ],
        });
      },
    });
  }
  return ops;
}

/** Note bodies are rich text: escape the summary and keep its line breaks; starts with NOTE_MARKER. */
export function noteHtml(note: string): string {
  const html = note
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\n/g, '<br>');
  return html.length <= MAX_NOTE_BODY_CHARS ? html : `${html.slice(0, MAX_NOTE_BODY_CHARS - 1)}…`;
}

function splitValues(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value
    .split(MULTI_VALUE_SEPARATOR)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
