import { FeedGatedCache } from './feed-gated-cache';

describe('FeedGatedCache', () => {
  const feed = { live: true };
  let cache: FeedGatedCache<{ v: number }>;
  beforeEach(() => {
    feed.live = true;
    cache = new FeedGatedCache(feed, 10);
  });

  it('stores and serves an answer read while nothing changed', () => {
    cache.set('a', { v: 1 }, cache.readToken());
    expect(cache.get('a')).toEqual({ v: 1 });
  });

  it('does not store an answer read before an invalidation (it may be the old row)', () => {
    const token = cache.readToken();
    cache.delete(['other']);
    cache.set('a', { v: 1 }, token);
    expect(cache.get('a')).toBeUndefined();
  });

  it('neither serves nor stores while the feed is down', () => {
    cache.set('a', { v: 1 }, cache.readToken());
    feed.live = false;
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', { v: 2 }, cache.readToken());
    feed.live = true;
    expect(cache.get('b')).toBeUndefined();
  });

  it('drops entries by key, by predicate and all at once', () => {
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) cache.set(k, { v }, cache.readToken());
    cache.delete(['a']);
    expect(cache.get('a')).toBeUndefined();
    cache.deleteWhere((value) => value.v === 2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toEqual({ v: 3 });
    cache.clear();
    expect(cache.get('c')).toBeUndefined();
  });

  it('is off with size 0', () => {
    const off = new FeedGatedCache<{ v: number }>(feed, 0);
    off.set('a', { v: 1 }, off.readToken());
    expect(off.enabled).toBe(false);
    expect(off.get('a')).toBeUndefined();
  });
});
