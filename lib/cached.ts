/**
 * A value loaded on first use and reloaded after `ttlMs` — for secrets and helpdesk settings read
 * from Secrets Manager. Concurrent callers share one load; a failed load is not cached.
 * The lifetime bounds how long a removed (rotated-out) secret keeps being accepted.
 */
export interface Cached<T> {
  get(): Promise<T>;
  /** Forget the value; the next get() loads again. */
  clear(): void;
}

export function cached<T>(load: () => Promise<T>, ttlMs: number, now: () => number = Date.now): Cached<T> {
  let value: { data: T; loadedAtMs: number } | undefined;
  let pending: Promise<T> | undefined;
  return {
    async get() {
      if (value !== undefined && now() - value.loadedAtMs < ttlMs) return value.data;
      pending ??= load().then(
        (data) => {
          value = { data, loadedAtMs: now() };
          pending = undefined;
          return data;
        },
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
    clear() {
      value = undefined;
    },
  };
}
