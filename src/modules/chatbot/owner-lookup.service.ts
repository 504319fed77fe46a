import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { Pool, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { normalizePhoneNumber } from '../../common/phone/phone-number';
import { AppConfig } from '../../config/app-config';
import { ChangeEvent, ChangeFeed } from '../../database/change-feed';
import { FeedGatedCache } from '../../database/feed-gated-cache';
import { InvalidLookupNumberError, NoNumberOwnerError } from './chatbot.errors';
import { OwnerLookupDto } from './dto/owner-lookup.dto';

/** A resolved owner with its answers serialised once, when it is cached, not per request. */
export class ResolvedOwner {
  readonly json: string;
  private assistantJson?: string;

  constructor(readonly owner: OwnerLookupDto) {
    this.json = JSON.stringify(owner);
  }

  /** The `assistant-request` answer for this owner (the assistant id is fixed per process). */
  assistantResponse(assistantId: string): string {
    this.assistantJson ??= JSON.stringify({ assistantId, assistantOverrides: { variableValues: this.owner } });
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

// One statement, by phone or by VAPI id, on unique indexes; a PM's realtors through the index led
// by realtors.property_manager_id. Only an assigned number has an owner (inactive ones never are).
const OWNER_SELECT = `
  SELECT n.id, n.phone_number, n.vapi_phone_number_id, n.assigned_to_type, n.property_manager_id,
         pm.name AS pm_name, pm.email AS pm_email, pm.company_name,
         r.id AS realtor_id, r.name AS realtor_name, r.email AS realtor_email,
         CASE WHEN n.assigned_to_type = 'property_manager' THEN
           ARRAY(SELECT x.id FROM realtors x WHERE x.property_manager_id = n.property_manager_id AND x.removed_at IS NULL ORDER BY x.id)
         END AS realtor_ids
    FROM purchased_phone_numbers n
    JOIN property_managers pm ON pm.id = n.property_manager_id
    LEFT JOIN realtors r ON r.id = n.assigned_realtor_id
   WHERE n.status = 'assigned' AND `;
const BY_PHONE = { name: 'chatbot_owner_by_phone', text: `${OWNER_SELECT} n.phone_number = $1` };
/** The statement a cache miss by phone runs (the benchmark measures it through plain `pg` too). */
export const OWNER_BY_PHONE: { readonly name: string; readonly text: string } = BY_PHONE;
const BY_VAPI_ID = { name: 'chatbot_owner_by_vapi_id', text: `${OWNER_SELECT} n.vapi_phone_number_id = $1` };

interface OwnerRow {
  id: number;
  phone_number: string;
  vapi_phone_number_id: string | null;
  assigned_to_type: 'property_manager' | 'realtor';
  property_manager_id: number;
  pm_name: string;
  pm_email: string;
  company_name: string | null;
  realtor_id: number | null;
  realtor_name: string | null;
  realtor_email: string | null;
  realtor_ids: number[] | null;
}

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
    const key = `p:${phone}`;
    const hit = this.cached(key);
    if (hit) return this.orNotFound(hit, phone);
    return this.resolve(key, BY_PHONE, phone).then((entry) => this.orNotFound(entry, phone));
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
    const key = `v:${vapiId}`;
    const hit = this.cached(key);
    if (hit) return hit === NOBODY ? undefined : hit;
    return this.resolve(key, BY_VAPI_ID, vapiId).then((entry) => (entry === NOBODY ? undefined : entry));
  }

  /** Like `byPhone`, undefined instead of an error (the webhook answers in VAPI's own form). */
  findByPhone(input: string): ResolvedOwner | undefined | Promise<ResolvedOwner | undefined> {
    const phone = this.e164(input);
    if (phone === INVALID) return undefined;
    const key = `p:${phone}`;
    const hit = this.cached(key);
    if (hit) return hit === NOBODY ? undefined : hit;
    return this.resolve(key, BY_PHONE, phone).then((entry) => (entry === NOBODY ? undefined : entry));
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

  private async resolve(key: string, statement: { name: string; text: string }, value: string): Promise<Entry> {
    const token = this.cache.readToken();
    this.stats.misses++;
    const query: QueryConfig = { name: statement.name, text: statement.text, values: [value] };
    const { rows } = await this.pool.query<OwnerRow>(query);
    const entry: Entry = rows.length ? new ResolvedOwner(toOwner(rows[0])) : NOBODY;
    this.cache.set(key, entry, token);
    return entry;
  }

  private invalidate(event: ChangeEvent): void {
    if (event.t === 'api_key') return;
    if (event.t === 'number') this.cache.delete([...(event.p ?? []).map((p) => `p:${p}`), ...(event.v ?? []).map((v) => `v:${v}`)]);
    else this.cache.clear();
  }
}

function toOwner(row: OwnerRow): OwnerLookupDto {
  const isRealtor = row.assigned_to_type === 'realtor';
  return {
    phone_number: row.phone_number,
    owner_type: row.assigned_to_type,
    owner_id: isRealtor ? row.realtor_id! : row.property_manager_id,
    owner_name: isRealtor ? row.realtor_name! : row.pm_name,
    owner_email: isRealtor ? row.realtor_email! : row.pm_email,
    property_manager_id: row.property_manager_id,
    property_manager_name: row.pm_name,
    company_name: row.company_name,
    realtor_ids: isRealtor ? null : (row.realtor_ids ?? []),
    purchased_phone_number_id: row.id,
    vapi_phone_number_id: row.vapi_phone_number_id,
  };
}
