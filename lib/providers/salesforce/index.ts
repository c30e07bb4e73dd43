/**
 * Salesforce Service Cloud: unsigned SOAP Outbound Messages authenticated by a shared token and an
 * optional organization allow-list, one event per Notification, answered with the SOAP Ack; write-back
 * of Case fields and an internal CaseComment through the REST API (helpdesks.md §4).
 */
import type { Provider } from '../types.ts';
import { NOTIFICATIONS_ACK } from './outbound-message.ts';
import { normalizeSalesforce } from './normalize.ts';
import { parseSalesforce } from './parse.ts';
import { verifySalesforce } from './verify.ts';
import { salesforceWriteBack } from './write-back.ts';

export const salesforceProvider: Provider = {
  name: 'salesforce',
  verify: verifySalesforce,
  parse: parseSalesforce,
  normalize: normalizeSalesforce,
  writeBack: salesforceWriteBack,
  // Acknowledge ignored notifications too, or Salesforce retries them for 24 hours.
  acceptedResponse: () => ({ contentType: 'text/xml; charset=utf-8', body: NOTIFICATIONS_ACK }),
};
