/** The providers whose listing API reconciliation and backfill can read. */
import { freshdeskLister } from '../providers/freshdesk/list.ts';
import { hubspotLister } from '../providers/hubspot/list.ts';
import { intercomLister } from '../providers/intercom/list.ts';
import { salesforceLister } from '../providers/salesforce/list.ts';
import { zendeskLister } from '../providers/zendesk/list.ts';
import type { ProviderName } from '../providers/types.ts';
import type { HelpdeskLister } from './types.ts';

export const listers: Readonly<Partial<Record<ProviderName, HelpdeskLister>>> = {
  zendesk: zendeskLister,
  freshdesk: freshdeskLister,
  salesforce: salesforceLister,
  intercom: intercomLister,
  hubspot: hubspotLister,
};

