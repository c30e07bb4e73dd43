/**
 * Results → Salesforce REST calls (helpdesks.md §4.4):
 * - `PATCH /services/data/vXX.X/sobjects/Case/{id}` with Priority and the Case fields mapped in
 *   `customFields` — only those, so no field the bridge does not own is touched. Case has no tag
 *   list; `customFields.ai_tags` names a multi-select picklist (or text) field that receives the
 *   tags, merged with its current value (read → merge → write, as a picklist is written whole).
 * - an internal `CaseComment` (`IsPublished: false`) with the note.
 */
import { summarizeResults, type Priority, type WriteBackSummary } from '../../write-back-summary.ts';
import { isRetryableSalesforceError } from './limits.ts';
import type { HttpClient } from '../../http.ts';
import type { ProviderContext, WriteBackInput, WriteBackOp } from '../types.ts';
import { salesforceSettings, type SalesforceSettings } from './settings.ts';
import { pathSegment } from '../../ticket-id.ts';

/** Simpli priority → the standard Case.Priority picklist (High, Medium, Low): urgent is High. */
export const CASE_PRIORITIES: Readonly<Record<Priority, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'High',
};

/** CaseComment.CommentBody holds at most 4,000 bytes. */
export const MAX_COMMENT_BYTES = 4000;
const API_TIMEOUT_MS = 10_000;

type Settings = SalesforceSettings & { readonly baseUrl: string };

export function salesforceWriteBack(input: WriteBackInput, { settings: raw }: ProviderContext): readonly WriteBackOp[] {
  const settings = salesforceSettings(raw);
  const summary = summarizeResults(input, settings.tagPrefix === undefined ? {} : { tagPrefix: settings.tagPrefix });
  if (summary.steps.length === 0) return [];
  const steps = summary.steps.join('+');
  const caseId = input.event.ticketId;
  const ops: WriteBackOp[] = [];

  const fields = caseFieldsOf(summary, settings);
  const tagsField = settings.customFields.ai_tags;
  if (Object.keys(fields).length > 0 || (tagsField !== undefined && summary.tags.length > 0)) {
    ops.push({
      key: `fields:${steps}`,
      run: async (http) => {
        const body = { ...fields };
        if (tagsField !== undefined && summary.tags.length > 0) {
          body[tagsField] = mergeTags(await currentValue(http, settings, caseId, tagsField), summary.tags);
        }
        // 204 No Content on success.
        await call(http, settings, 'PATCH', `/sobjects/Case/${pathSegment(caseId)}`, body);
      },
    });
  }
  if (summary.note !== undefined && settings.writeNotes) {
    const comment = { ParentId: caseId, CommentBody: truncateUtf8(summary.note, MAX_COMMENT_BYTES), IsPublished: false };
    ops.push({
      key: `note:${steps}`,
      noted: summary.noteSteps,
      run: async (http) => {
        await call(http, settings, 'POST', '/sobjects/CaseComment', comment);
      },
    });
  }
  return ops;
}

function caseFieldsOf(summary: WriteBackSummary, settings: Settings): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  if (summary.priority !== undefined) fields.Priority = CASE_PRIORITIES[summary.priority];
  for (const [name, value] of Object.entries(summary.fields)) {
    const field = settings.customFields[name];
    if (field !== undefined) fields[field] = value;
  }
  return fields;
}

async function currentValue(http: HttpClient, settings: Settings, caseId: string, field: string): Promise<string> {
  const response = await call(http, settings, 'GET', `/sobjects/Case/${pathSegment(caseId)}?fields=${encodeURIComponent(field)}`);
  try {
    const value = (JSON.parse(response) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

/** Multi-select picklist values are `;`-separated; existing values are kept, in their order. */
export function mergeTags(current: string, tags: readonly string[]): string {
  const values = current
    .split(';')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const tag of tags) if (!values.includes(tag)) values.push(tag);
  return values.join(';');
}

async function call(http: HttpClient, settings: Settings, method: string, path: string, json?: unknown): Promise<string> {
  const response = await settings.auth.request(http, {
    service: 'salesforce',
    method,
    url: `${settings.baseUrl}${path}`,
    ...(json === undefined ? {} : { json }),
    timeoutMs: API_TIMEOUT_MS,
    isRetryable: isRetryableSalesforceError,
  });
  return response.body;
}

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  let out = '';
  let bytes = Buffer.byteLength(ellipsis, 'utf8');
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out + ellipsis;
}
