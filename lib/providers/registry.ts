/** Every provider the bridge serves. Adding one is one import and one entry here. */
import { genericProvider } from './generic.ts';
import type { Provider, ProviderName } from './types.ts';

export const providers: Readonly<Partial<Record<ProviderName, Provider>>> = {
  generic: genericProvider,
};
