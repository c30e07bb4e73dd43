/**
 * Every provider the bridge serves, whole (tests and tools). Adding a provider: its folder, then
 * one entry here, in ingest-registry.ts and in process-registry.ts (the type checker insists).
 */
import { genericProvider } from './generic.ts';
import { freshdeskProvider } from './freshdesk/index.ts';
import { zendeskProvider } from './zendesk/index.ts';
import { hubspotProvider } from './hubspot/index.ts';
import { intercomProvider } from './intercom/index.ts';
import { salesforceProvider } from './salesforce/index.ts';
import type { Provider, BuiltInProviderName } from './types.ts';

export const providers: Readonly<Record<BuiltInProviderName, Provider>> = {
  generic: genericProvider,
  freshdesk: freshdeskProvider,
  zendesk: zendeskProvider,
  hubspot: hubspotProvider,
  intercom: intercomProvider,
  salesforce: salesforceProvider,
};
