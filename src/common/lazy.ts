/**
 * A value built at its first use — typically from a module loaded with import() — and kept.
 * Calls that come while it is being built wait for the same build; a failed build is not kept,
 * so the next call tries again.
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () =>
    (value ??= build().catch((e: unknown) => {
      value = undefined;
      throw e;
    }));
}
