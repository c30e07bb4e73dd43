/**
 * What of a request may be named in an error message or an `ignored` reason — both reach the logs
 * (issue #13 finding 12: a malformed Salesforce envelope put customer text in the `rejected` line).
 * Vendor vocabulary (topics, event types, statuses, property names, `{ticket_action:created}`) is
 * shown as it is; anything else — free text, long or odd values — is described by its length only.
 */

const VOCABULARY = /^[A-Za-z0-9_.:@{}[\],+-]{1,80}$/;

/** `value` when it looks like a vendor identifier, else `(a value of N characters)`. */
export function shown(value: string): string {
  return VOCABULARY.test(value) ? value : `(a value of ${value.length} characters)`;
}
