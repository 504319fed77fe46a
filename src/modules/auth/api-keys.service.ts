import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sha256, sha256Base64 } from '../../common/auth/digest';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { apiKeyIdOf, ApiKeyVerifier } from '../../common/auth/api-key-format';
import { ApiKeyNotFoundError } from './api-keys.errors';
import { Page, PageRequest, paginate } from '../../common/pagination/paginate';
import { ChangeFeed } from '../../database/change-feed';
import { DomainEvents } from '../../database/domain-events';
import { FeedGatedCache } from '../../database/feed-gated-cache';
import { AuditService } from '../audit/audit.service';
import { CreateApiKeyDto } from './dto/api-key.dto';
import { ApiKeyEntity } from './entities/api-key.entity';
import type { Actor, ApiKeyScope, Principal } from '../../common/auth/principal';

// Recording every use would turn each chatbot request into a write; a minute's precision is plenty.
const LAST_USED_PRECISION_MS = 60_000;
// Bounded by the keys that verified; far more than any deployment has.
const VERIFIED_KEYS_CACHED = 10_000;




interface VerifiedKey {
  principal: Principal;
  keyId: string;
  lastUsedAt: number;
}

@Injectable()
export class ApiKeysService implements OnModuleInit, ApiKeyVerifier {
  private readonly logger = new Logger(ApiKeysService.name);
  /**
   * Keys verified against the database, by the SHA-256 of the presented key, so the chatbot's hot
   * path does not query per request. Only keys that verified are kept. A revocation (or scope
   * change) drops the entry: at once on this instance (a domain event on commit), through the
   * change feed on the others; while the feed is down nothing is served from here.
   */
  private readonly verified: FeedGatedCache<VerifiedKey>;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly audit: AuditService,
    private readonly changes: ChangeFeed,
    private readonly events: DomainEvents,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.verified = new FeedGatedCache(changes, VERIFIED_KEYS_CACHED);
  }

  onModuleInit(): void {
    this.changes.subscribe((event) => {
      if (event.t === 'api_key') this.verified.deleteWhere((entry) => entry.keyId === event.id);
      else if (event.t === 'reset') this.verified.clear();
    });
  }

  /** Creates a key and returns it with its secret, which is never retrievable again. */
  @Transactional()
  async create(dto: CreateApiKeyDto, actor: Actor): Promise<{ entity: ApiKeyEntity; apiKey: string }> {
    const { entity, apiKey } = await this.insertKey(dto.name, dto.scopes, actor.principal.actorId);
    await this.audit.record(actor, {
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: entity.id,
      details: { name: entity.name, scopes: entity.scopes },
    });
    return { entity, apiKey };
  }

  async insertKey(
    name: string,
    scopes: ApiKeyScope[],
    createdBy: string | null,
  ): Promise<{ entity: ApiKeyEntity; apiKey: string }> {
    const id = randomUUID();
    const apiKey = `pnk_${id.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
    const manager = this.txHost.tx;
    const entity = await manager.save(
      manager.create(ApiKeyEntity, { id, name: name.trim(), keyHash: sha256(apiKey), scopes, createdBy }),
    );
    return { entity, apiKey };
  }

  /** Oldest first. */
  list(page: PageRequest): Promise<Page<ApiKeyEntity>> {
    return paginate(this.txHost.tx.getRepository(ApiKeyEntity).createQueryBuilder('key'), page, {
      direction: 'ASC',
      keys: [
        { column: `date_trunc('milliseconds', key.created_at)`, valueOf: (key) => key.createdAt.toISOString(), pattern: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/ },
        { column: 'key.id', valueOf: (key) => key.id, pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ },
      ],
    });
  }

  /** Revokes a key; it stops working with the next request. Revoking twice is harmless. */
  @Transactional()
  async revoke(id: string, actor: Actor): Promise<ApiKeyEntity> {
    const manager = this.txHost.tx;
    const key = await manager.findOne(ApiKeyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!key) throw new ApiKeyNotFoundError(id);
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await manager.save(key);
    }
    await this.audit.record(actor, { action: 'api_key.revoke', targetType: 'api_key', targetId: id });
    // "Stops working at once" on this instance depends on it; the others hear it through the feed.
    this.events.publish({ t: 'api_key', id });
    return key;
  }

  /**
   * The one API-key verifier (the `api-key` strategy behind `@Authenticated`, and the chatbot's
   * fast routes): from memory when the key verified before, else against the database.
   */
  authenticate(presented: string): Principal | undefined | Promise<Principal | undefined> {
    const key = presented.trim();
    return this.verifyCached(key) ?? this.verify(key);
  }

  /**
   * The principal behind a key verified earlier, without touching the database; undefined when
   * the key is not (or no longer) in memory — then `verify` decides.
   */
  verifyCached(presented: string): Principal | undefined {
    const entry = this.verified.get(sha256Base64(presented));
    if (!entry) return undefined;
    const now = Date.now();
    if (now - entry.lastUsedAt >= LAST_USED_PRECISION_MS) {
      entry.lastUsedAt = now;
      this.recordUse(entry.keyId, now);
    }
    return entry.principal;
  }

  /** The principal behind a presented key, or undefined for a malformed, unknown or revoked one. */
  async verify(presented: string): Promise<Principal | undefined> {
    const id = apiKeyIdOf(presented);
    if (!id) return undefined;
    const token = this.verified.readToken();
    const key = await this.txHost.tx.getRepository(ApiKeyEntity).findOne({ where: { id } });
    if (!key || key.revokedAt) return undefined;
    const hash = sha256(presented);
    if (!timingSafeEqual(key.keyHash, hash)) return undefined;
    this.touch(key);
    const principal: Principal = { roles: [...key.scopes], actorType: 'api_key', actorId: key.id, credential: `api_key:${key.id}` };
    // Kept only if nothing was invalidated while the row was being read (it might be the old row).
    this.verified.set(hash.toString('base64'), { principal, keyId: key.id, lastUsedAt: Math.max(key.lastUsedAt?.getTime() ?? 0, Date.now()) }, token);
    return principal;
  }

  /** True when at least one unrevoked key has the admin scope. */
  async hasActiveAdminKey(): Promise<boolean> {
    return this.txHost.tx
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('key')
      .where('key.revoked_at IS NULL')
      .andWhere(`'admin' = ANY(key.scopes)`)
      .getExists();
  }

  private touch(key: ApiKeyEntity): void {
    const now = Date.now();
    if (key.lastUsedAt && now - key.lastUsedAt.getTime() < LAST_USED_PRECISION_MS) return;
    this.recordUse(key.id, now);
  }

  /**
   * Not awaited, so never on `txHost.tx`: a transaction the caller happens to be in would roll it
   * back with its own work, or see it issued on its connection after it was handed back to the pool.
   */
  private recordUse(id: string, now: number): void {
    this.dataSource
      .getRepository(ApiKeyEntity)
      .update({ id, revokedAt: IsNull() }, { lastUsedAt: new Date(now) })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record API key use'));
  }
}
