import { LRUCache } from 'lru-cache';

/** What the cache needs of the change feed: whether invalidations are arriving right now. */
export interface FeedState {
  readonly live: boolean;
}

/**
 * An in-process LRU that is never stale, for answers read from the database:
 * - nothing is served or stored while the change feed is down (it would miss invalidations);
 * - an answer is stored only if nothing was invalidated while it was being read: `readToken()`
 *   is taken before the read and handed to `set` (the row read may predate a change just announced).
 * Used by the owner lookup and the API-key verifier; a size of 0 turns it off.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- any non-nullish value, as lru-cache takes
export class FeedGatedCache<V extends {}> {
  private readonly lru?: LRUCache<string, V>;
  private epoch = 0;

  constructor(
    private readonly feed: FeedState,
    max: number,
  ) {
    if (max > 0) this.lru = new LRUCache<string, V>({ max });
  }

  get enabled(): boolean {
    return this.lru !== undefined;
  }

  get(key: string): V | undefined {
    return this.lru && this.feed.live ? this.lru.get(key) : undefined;
  }

  /** Taken before reading the source; -1 when the answer must not be stored at all. */
  readToken(): number {
    return this.feed.live ? this.epoch : -1;
  }

  set(key: string, value: V, token: number): void {
    if (this.lru && token === this.epoch && this.feed.live) this.lru.set(key, value);
  }

  delete(keys: Iterable<string>): void {
    this.epoch++;
    if (this.lru) for (const key of keys) this.lru.delete(key);
  }

  deleteWhere(matches: (value: V) => boolean): void {
    this.epoch++;
    if (!this.lru) return;
    for (const [key, value] of this.lru.entries()) if (matches(value)) this.lru.delete(key);
  }

  clear(): void {
    this.epoch++;
    this.lru?.clear();
  }
}
