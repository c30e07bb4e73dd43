/** Every provider the bridge serves. Adding one is one import and one entry here. */
import { genericProvider } from './generic.ts';
import { freshdeskProvider } from './freshdesk/index.ts';
import { zendeskProvider } from './zendesk/index.ts';
import { hubspotProvider } from './hubspot/index.ts';
import { intercomProvider } from './intercom/index.ts';
import { salesforceProvider } from './salesforce/index.ts';
import type { Provider, ProviderName } from './types.ts';

export const providers: Readonly<Partial<Record<ProviderName, Provider>>> = {
  generic: genericProvider,
  freshdesk: freshdeskProvider,
  zendesk: zendeskProvider,
  hubspot: hubspotProvider,
  intercom: intercomProvider,
  salesforce: salesforceProvider,
};
