/**
 * Salesforce answers an exhausted org-wide API allowance with `403` and errorCode
 * `REQUEST_LIMIT_EXCEEDED` (REST API Developer Guide, "Status Codes and Error Responses"). It
 * passes with time, so it is retried like a 429 — and parked with its reason if it outlasts the
 * event's deliveries — instead of being treated as a permanent 403.
 */
export function isRetryableSalesforceError(status: number, body: string): boolean {
  if (status === 403 && body.includes('REQUEST_LIMIT_EXCEEDED')) return true;
  return status === 408 || status === 429 || status >= 500;
}
