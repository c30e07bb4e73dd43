/**
 * A value built on its first use and kept (issue #10): schemas (lib/schema.ts) and other tables that a cold
 * start does not need are built by the first call that does, not while the bundle loads. With the
 * secrets read from Secrets Manager, no configuration schema is needed before the first request, and
 * most containers never meet a connector or a HubSpot setting at all.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
