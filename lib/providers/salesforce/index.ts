/**
 * Salesforce Service Cloud: unsigned SOAP Outbound Messages authenticated by a shared token and an
 * optional organization allow-list, one event per Notification, answered with the SOAP Ack; write-back
 * of Case fields and an internal CaseComment through the REST API (helpdesks.md §4).
 */
import type { Provider, ProviderIngest, ProviderProcess } from '../types.ts';
import { NOTIFICATIONS_ACK } from './outbound-message.ts';
import { normalizeSalesforce } from './normalize.ts';
import { parseSalesforce } from './parse.ts';
import { verifySalesforce } from './verify.ts';
import { salesforceWriteBack } from './write-back.ts';

export const salesforceIngest: ProviderIngest = {
  name: 'salesforce',
  verify: verifySalesforce,
  parse: parseSalesforce,
  // Acknowledge ignored notifications too, or Salesforce retries them for 24 hours.
  acceptedResponse: () => ({ contentType: 'text/xml; charset=utf-8', body: NOTIFICATIONS_ACK }),
};

export const salesforceProcess: ProviderProcess = {
  name: 'salesforce',
  normalize: normalizeSalesforce,
  writeBack: salesforceWriteBack,
};

/** Both halves, for tests and tools. `@__PURE__` lets esbuild drop it (and so the unused half) from each function bundle. */
export const salesforceProvider: Provider = /* @__PURE__ */ Object.assign({}, salesforceIngest, salesforceProcess);
