/** provider → how that helpdesk signs its webhooks. Each provider adds its line. */
import type { ProviderName } from '../../lib/providers/types.ts';
import { signGeneric } from './generic.ts';
import { signFreshdesk } from './freshdesk.ts';
import { signZendesk } from './zendesk.ts';
import { signHubSpot } from './hubspot.ts';
import { signIntercom } from './intercom.ts';
import { signSalesforce } from './salesforce.ts';
import type { Signer } from './types.ts';

export const signers: Partial<Record<ProviderName, Signer>> = {
  generic: signGeneric,
  freshdesk: signFreshdesk,
  zendesk: signZendesk,
  hubspot: signHubSpot,
  intercom: signIntercom,
  salesforce: signSalesforce,
};
