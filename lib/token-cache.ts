/**
 * OAuth access tokens that renew (issue #13): one token per credential set, shared by every event
 * in the container, fetched on first use, renewed before it expires, and dropped when the API says
 * it is no longer valid. Concurrent callers share one token request (single flight); a failed
 * request is not cached, so the next event tries again.
 */

export interface IssuedToken {
  readonly accessToken: string;
  /** Epoch ms after which the token must not be used; undefined = until the API rejects it. */
  readonly expiresAtMs: number | undefined;
  /** The token answer's `instance_url` (Salesforce), as the token endpoint sent it; unvalidated. */
  readonly instanceUrl?: string | undefined;
}

export interface TokenSource {
  /**
   * A token believed valid now; calls `fetchToken` (once, for all concurrent callers) when there
   * is none. `fetchToken` is passed per call so it can use the calling event's HttpClient.
   */
  get(fetchToken: () => Promise<IssuedToken>): Promise<string>;
  /** As `get`, with the whole answer the token came with. */
  getIssued(fetchToken: () => Promise<IssuedToken>): Promise<IssuedToken>;
  /**
   * The API rejected `token`: forget it, unless it was already replaced (so N concurrent 401s for
   * one expired token cause one renewal, not N).
   */
  invalidate(token: string): void;
}

export interface TokenSourceOptions {
  readonly now?: () => number;
  /** Renew this long before the announced expiry, so a call never starts with a dying token. */
  readonly refreshMarginMs?: number;
}

export function createTokenSource(options: TokenSourceOptions = {}): TokenSource {
  const now = options.now ?? Date.now;
  const marginMs = options.refreshMarginMs ?? 60_000;
  let current: IssuedToken | undefined;
  let pending: Promise<IssuedToken> | undefined;
  const fresh = (t: IssuedToken) => t.expiresAtMs === undefined || now() < t.expiresAtMs - marginMs;
  const source: TokenSource = {
    async get(fetchToken) {
      return (await source.getIssued(fetchToken)).accessToken;
    },
    async getIssued(fetchToken) {
      if (current !== undefined && fresh(current)) return current;
      pending ??= fetchToken().then(
        (token) => {
          current = token;
          pending = undefined;
          return token;
        },
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
    invalidate(token) {
      if (current?.accessToken === token) current = undefined;
    },
  };
  return source;
}

/**
 * Token sources by credential identity, for the life of the container. Keys hold no secret in the
 * clear (callers hash them). `clear()` is for tests.
 */
export function createTokenRegistry(): { sourceFor(key: string, create: () => TokenSource): TokenSource; clear(): void } {
  const sources = new Map<string, TokenSource>();
  return {
    sourceFor(key, create) {
      let source = sources.get(key);
      if (source === undefined) {
        source = create();
        sources.set(key, source);
      }
      return source;
    },
    clear: () => sources.clear(),
  };
}
