/** What ProcessFunction bundles of each provider: normalization and write-back only. */
import { freshdeskProcess } from './freshdesk/index.ts';
import { genericProcess } from './generic.ts';
import { hubspotProcess } from './hubspot/index.ts';
import { intercomProcess } from './intercom/index.ts';
import { salesforceProcess } from './salesforce/index.ts';
import type { BuiltInProviderName, ProviderProcess } from './types.ts';
import { zendeskProcess } from './zendesk/index.ts';

export const processProviders: Readonly<Record<BuiltInProviderName, ProviderProcess>> = {
  generic: genericProcess,
  zendesk: zendeskProcess,
  freshdesk: freshdeskProcess,
  intercom: intercomProcess,
  salesforce: salesforceProcess,
  hubspot: hubspotProcess,
};
