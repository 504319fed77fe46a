import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import { Pool, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { normalizePhoneNumber } from '../../common/phone/phone-number';
import { AppConfig } from '../../config/app-config';
import { ChangeEvent, ChangeFeed } from '../../database/change-feed';
import { FeedGatedCache } from '../../database/feed-gated-cache';
import { InvalidLookupNumberError, NoNumberOwnerError } from './chatbot.errors';

/**
 * A resolved owner as the JSON the lookup sends (`OwnerLookupDto`), exactly as the database keeps
 * it: nothing is parsed or serialised per request.
 */
export class ResolvedOwner {
  private assistantJson?: string;

  constructor(readonly json: string) {}

  /** The `assistant-request` answer for this owner (the assistant id is fixed per process). */
  assistantResponse(assistantId: string): string {
    this.assistantJson ??= `{"assistantId":${JSON.stringify(assistantId)},"assistantOverrides":{"variableValues":${this.json}}}`;
    return this.assistantJson;
  }
}

// Cached "nobody owns it" answers: spam and misdialled numbers must not reach the database either.
const NOBODY = Symbol('nobody');
type Entry = ResolvedOwner | typeof NOBODY;

// Raw inputs remembered with their E.164 form ('' when not a number). Parsing is pure (the default
// region is fixed per process), so this memo never goes stale: only the owner cache behind it is
// invalidated. Bounded, so a spray of distinct inputs cannot grow it.
const NORMALIZED_MEMO_SIZE = 20_000;
const INVALID = '';

// Selects on a unique index of the answers the database keeps for assigned numbers
// (`chatbot_owner_answers`, migration 1763901500000): no join, one text column per number.
const BY_PHONES = { name: 'chatbot_owners_by_phone', text: 'SELECT phone_number AS key, answer FROM chatbot_owner_answers WHERE phone_number = ANY($1::text[])' };
/** The statement cache misses by phone run, with the numbers as a text array (the benchmark measures it through plain `pg` too). */
export const OWNERS_BY_PHONE: { readonly name: string; readonly text: string } = BY_PHONES;
const BY_VAPI_IDS = {
  name: 'chatbot_owners_by_vapi_id',
  text: 'SELECT vapi_phone_number_id AS key, answer FROM chatbot_owner_answers WHERE vapi_phone_number_id = ANY($1::text[])',
};

// The cache's keys: a number by its E.164 form, or by the id VAPI knows it by.
const phoneKey = (phone: string): string => `p:${phone}`;
const vapiIdKey = (vapiId: string): string => `v:${vapiId}`;

// The misses of one event-loop turn go to the database as one select: every request the turn read
// is parsed before `setImmediate` runs, so under load a round trip (and `pg`'s per-query work)
// serves many callers; alone, a miss waits only for the end of its turn.
const MAX_BATCH = 256;

/**
 * Whose number is this? Served from an in-process cache in front of one prepared query.
 *
 * Never stale (`FeedGatedCache`): entries are dropped on every change the `ChangeFeed` reports
 * (this instance's domain events on commit, everyone's through LISTEN/NOTIFY), nothing is served
 * or stored while the feed is down, and an answer read while a change was announced is not kept.
 */
@Injectable()
export class OwnerLookupService implements OnModuleInit, OnApplicationShutdown {
  private readonly cache: FeedGatedCache<Entry>;
  private readonly pool: Pool;
  private readonly normalized = new LRUCache<string, string>({ max: NORMALIZED_MEMO_SIZE });
  private readonly phoneMisses = this.missLoader(BY_PHONES, phoneKey);
  private readonly vapiIdMisses = this.missLoader(BY_VAPI_IDS, vapiIdKey);
  /** Answers served from memory and from the database, since start (for tests and operators). */
  readonly stats = { hits: 0, misses: 0 };

  constructor(
    private readonly config: AppConfig,
    private readonly changes: ChangeFeed,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.cache = new FeedGatedCache<Entry>(changes, config.chatbot.lookupCacheSize);
    // Its own few connections, with the settings of TypeORM's pool: a burst of admin work (or
    // purchases) queueing for the main pool never delays the chatbot. A miss is one round trip
    // of a named (prepared) statement.
    const main = (dataSource.driver as PostgresDriver).master as Pool & { options: Record<string, unknown> };
    this.pool = new Pool({ ...main.options, max: config.chatbot.lookupPoolSize, application_name: 'phone-number-service:chatbot' });
    this.pool.on('error', () => undefined); // a broken idle connection is replaced on next use
  }

  onModuleInit(): void {
    this.changes.subscribe((event) => this.invalidate(event));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  /** The owner of a number given in any accepted form; throws when the input is not a number or nobody owns it. */
  byPhone(input: unknown): ResolvedOwner | Promise<ResolvedOwner> {
    if (typeof input !== 'string') throw new InvalidLookupNumberError();
    const phone = this.e164(input);
    if (phone === INVALID) throw new InvalidLookupNumberError();
    const hit = this.cached(phoneKey(phone));
    if (hit) return this.orNotFound(hit, phone);
    return this.phoneMisses.load(phone).then((entry) => this.orNotFound(entry, phone));
  }

  /**
   * The owner of a number given in any accepted form when memory already holds it: no database,
   * no error (an invalid input, an unknown number or a cached "nobody" are all undefined).
   */
  cachedOwner(input: string): ResolvedOwner | undefined {
    const phone = this.e164(input);
    if (phone === INVALID) return undefined;
    const entry = this.cache.get(phoneKey(phone));
    if (entry === undefined || entry === NOBODY) return undefined;
    this.stats.hits++;
    return entry;
  }

  /** The E.164 form of a raw input (any accepted form), or INVALID; memoised. */
  private e164(input: string): string {
    let phone = this.normalized.get(input);
    if (phone === undefined) {
      phone = normalizePhoneNumber(input, this.config.defaultPhoneRegion) ?? INVALID;
      if (input.length <= 64) this.normalized.set(input, phone);
    }
    return phone;
  }

  /** The owner of the number VAPI knows by `vapiId`, or undefined. */
  byVapiId(vapiId: string): ResolvedOwner | undefined | Promise<ResolvedOwner | undefined> {
    const hit = this.cached(vapiIdKey(vapiId));
    if (hit) return hit === NOBODY ? undefined : hit;
    return this.vapiIdMisses.load(vapiId).then((entry) => (entry === NOBODY ? undefined : entry));
  }

  /** Like `byPhone`, undefined instead of an error (the webhook answers in VAPI's own form). */
  findByPhone(input: string): ResolvedOwner | undefined | Promise<ResolvedOwner | undefined> {
    const phone = this.e164(input);
    if (phone === INVALID) return undefined;
    const hit = this.cached(phoneKey(phone));
    if (hit) return hit === NOBODY ? undefined : hit;
    return this.phoneMisses.load(phone).then((entry) => (entry === NOBODY ? undefined : entry));
  }

  private cached(key: string): Entry | undefined {
    const entry = this.cache.get(key);
    if (entry) this.stats.hits++;
    return entry;
  }

  private orNotFound(entry: Entry, phone: string): ResolvedOwner {
    if (entry === NOBODY) throw new NoNumberOwnerError(phone);
    return entry;
  }

  /** Batches misses (DataLoader without its own cache: ours is the feed-gated one). */
  private missLoader(statement: { name: string; text: string }, cacheKey: (value: string) => string): DataLoader<string, Entry> {
    return new DataLoader<string, Entry>((keys) => this.resolve(statement, cacheKey, keys), {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    });
  }

  private async resolve(statement: { name: string; text: string }, cacheKey: (value: string) => string, keys: readonly string[]): Promise<Entry[]> {
    const token = this.cache.readToken();
    this.stats.misses += keys.length;
    const query: QueryConfig = { name: statement.name, text: statement.text, values: [keys] };
    const { rows } = await this.pool.query<{ key: string; answer: string }>(query);
    const answers = new Map(rows.map((row) => [row.key, row.answer]));
    return keys.map((key) => {
      const answer = answers.get(key);
      const entry: Entry = answer === undefined ? NOBODY : new ResolvedOwner(answer);
      this.cache.set(cacheKey(key), entry, token);
      return entry;
    });
  }

  private invalidate(event: ChangeEvent): void {
    if (event.t === 'api_key') return;
    if (event.t === 'number') this.cache.delete([...(event.p ?? []).map(phoneKey), ...(event.v ?? []).map(vapiIdKey)]);
    else this.cache.clear();
  }
}
