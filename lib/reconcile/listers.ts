/** The providers whose listing API reconciliation and backfill can read. */
import { zendeskLister } from '../providers/zendesk/list.ts';
import type { ProviderName } from '../providers/types.ts';
import type { HelpdeskLister } from './types.ts';

export const listers: Readonly<Partial<Record<ProviderName, HelpdeskLister>>> = {
  zendesk: zendeskLister,
};

