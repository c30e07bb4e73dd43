/** What IngestFunction bundles of each provider: verification and parsing only. */
import { freshdeskIngest } from './freshdesk/index.ts';
import { genericIngest } from './generic.ts';
import { hubspotIngest } from './hubspot/index.ts';
import { intercomIngest } from './intercom/index.ts';
import { salesforceIngest } from './salesforce/index.ts';
import type { ProviderIngest, BuiltInProviderName } from './types.ts';
import { zendeskIngest } from './zendesk/index.ts';

export const ingestProviders: Readonly<Record<BuiltInProviderName, ProviderIngest>> = {
  generic: genericIngest,
  zendesk: zendeskIngest,
  freshdesk: freshdeskIngest,
  intercom: intercomIngest,
  salesforce: salesforceIngest,
  hubspot: hubspotIngest,
};
