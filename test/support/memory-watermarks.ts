/** An in-memory watermark store, as lib/reconcile/watermark.ts behaves for runs that do not race (the lease always granted). */
import type { ProviderName } from '../../lib/providers/types.ts';
import type { WatermarkState, WatermarkStore } from '../../lib/reconcile/watermark.ts';

export const NO_WATERMARK: WatermarkState = { watermarkMs: undefined, cursor: undefined, passSinceMs: undefined, passMaxMs: undefined, lastRunAt: undefined };

export function memoryWatermarks(initial: WatermarkState = NO_WATERMARK): WatermarkStore & { state: WatermarkState } {
  const store = {
    state: initial,
    get: async () => store.state,
    acquire: async () => store.state,
    progress: async (_p: ProviderName, _o: string, u: { cursor: string; passSinceMs: number; passMaxMs: number }) => {
      store.state = { ...store.state, ...u };
    },
    complete: async (_p: ProviderName, _o: string, watermarkMs: number) => {
      store.state = { ...store.state, watermarkMs: Math.max(watermarkMs, store.state.watermarkMs ?? watermarkMs), cursor: undefined, passSinceMs: undefined, passMaxMs: undefined };
    },
    release: async () => {},
  };
  return store;
}
