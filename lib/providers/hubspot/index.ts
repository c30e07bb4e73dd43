/**
 * The HubSpot provider (tickets): v3 request signatures (v1/v2 only when enabled), batches of up to
 * 100 notifications split into events, thin payloads enriched from the CRM and conversations APIs,
 * and write-back of ticket properties plus an associated internal note. Setup: README, "HubSpot".
 */
import type { Provider, ProviderIngest, ProviderProcess } from '../types.ts';
import { normalizeHubSpot } from './normalize.ts';
import { parseHubSpot } from './parse.ts';
import { verifyHubSpot } from './verify.ts';
import { writeBackHubSpot } from './write-back.ts';

export const hubspotIngest: ProviderIngest = {
  name: 'hubspot',
  verify: verifyHubSpot,
  parse: parseHubSpot,
};

export const hubspotProcess: ProviderProcess = {
  name: 'hubspot',
  normalize: normalizeHubSpot,
  writeBack: writeBackHubSpot,
};

/** Both halves, for tests and tools. `@__PURE__` lets esbuild drop it (and so the unused half) from each function bundle. */
export const hubspotProvider: Provider = /* @__PURE__ */ Object.assign({}, hubspotIngest, hubspotProcess);
