/**
 * A read-only map whose values are computed when asked for, not stored: on a 20,000-file repository
 * holding every placeholder page and summary until packing costs ~100 MB, while recomputing one is
 * cheap and deterministic. Keys are fixed up front, in order.
 */
export class LazyMap<V> implements ReadonlyMap<string, V> {
  private index: Map<string, number> | undefined;

  constructor(
    private readonly keyList: readonly string[],
    private readonly compute: (key: string, position: number) => V,
  ) {}

  get size(): number {
    return this.keyList.length;
  }

  has(key: string): boolean {
    return this.positionOf(key) !== undefined;
  }

  get(key: string): V | undefined {
    const position = this.positionOf(key);
    return position === undefined ? undefined : this.compute(key, position);
  }

  *keys(): MapIterator<string> {
    yield* this.keyList;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  *entries(): MapIterator<[string, V]> {
    for (let i = 0; i < this.keyList.length; i++) yield [this.keyList[i]!, this.compute(this.keyList[i]!, i)];
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  /** Built on first lookup only: iterating in order never needs it. */
  private positionOf(key: string): number | undefined {
    this.index ??= new Map(this.keyList.map((k, i) => [k, i]));
    return this.index.get(key);
  }
}
