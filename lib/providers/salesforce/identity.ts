/**
 * The event identities of Salesforce records, shared by the outbound-message path (parse.ts) and
 * reconciliation (list.ts) so that both derive the same Ledger key from the same record:
 * - `ticket.created:{Case Id}` — a Case is created once;
 * - `ticket.resolved:{Case Id}:{ClosedDate}` — ClosedDate as ISO 8601 UTC with milliseconds,
 *   whatever the notation (outbound messages write xsd:dateTime `…Z`, the REST API `…+0000`), so a
 *   rule that fires again on every edit of a closed Case is a duplicate;
 * - `message.created:{ParentId}:{record Id}` — a CaseComment or EmailMessage by its own Id.
 * Ids are used as Salesforce gives them (both paths carry the 18-character form).
 */

export function createdIdentity(caseId: string): string {
  return `ticket.created:${caseId}`;
}

/** `closedDate` as the record holds it; `fallback` (the notification id) when it is absent. */
export function resolvedIdentity(caseId: string, closedDate: string | undefined, fallback: string): string {
  const closedMs = closedDate === undefined ? Number.NaN : Date.parse(closedDate);
  return `ticket.resolved:${caseId}:${Number.isNaN(closedMs) ? (closedDate ?? fallback) : new Date(closedMs).toISOString()}`;
}

export function messageIdentity(caseId: string, recordId: string): string {
  return `message.created:${caseId}:${recordId}`;
}
