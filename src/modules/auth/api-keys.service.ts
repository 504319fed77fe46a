import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-error';
import { ChangeFeed } from '../../database/change-feed';
import { AuditService } from '../audit/audit.service';
import { CreateApiKeyDto } from './dto/api-key.dto';
import { ApiKeyEntity } from './entities/api-key.entity';
import type { Actor, ApiKeyScope, Principal } from './principal';

// `pnk_<key id, 32 hex>_<secret, 43 base64url chars>`: the id finds the row, the hash proves the secret.
const KEY_FORMAT = /^pnk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
// Recording every use would turn each chatbot request into a write; a minute's precision is plenty.
const LAST_USED_PRECISION_MS = 60_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** The key id a presented key claims (its public part), or undefined when it is malformed. */
export function apiKeyIdOf(presented: string): string | undefined {
  const hex = KEY_FORMAT.exec(presented)?.[1];
  return hex && `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface VerifiedKey {
  principal: Principal;
  keyId: string;
  lastUsedAt: number;
}

@Injectable()
export class ApiKeysService implements OnModuleInit {
  private readonly logger = new Logger(ApiKeysService.name);
  /**
   * Keys verified against the database, by the SHA-256 of the presented key, so the chatbot's hot
   * path does not query per request. Only keys that verified are kept (bounded by the keys that
   * exist). A revocation (or scope change) anywhere drops the entry: at once on this instance, via
   * the change feed on the others; while the feed is down nothing is served from here.
   */
  private readonly verified = new Map<string, VerifiedKey>();
  private epoch = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Optional() private readonly changes?: ChangeFeed,
  ) {}

  onModuleInit(): void {
    this.changes?.subscribe((event) => {
      if (event.t === 'api_key') {
        this.epoch++;
        for (const [hash, entry] of this.verified) if (entry.keyId === event.id) this.verified.delete(hash);
      } else if (event.t === 'reset' && event.scope !== 'lookup') {
        this.epoch++;
        this.verified.clear();
      }
    });
  }

  /** Creates a key and returns it with its secret, which is never retrievable again. */
  async create(dto: CreateApiKeyDto, actor: Actor): Promise<{ entity: ApiKeyEntity; apiKey: string }> {
    return this.dataSource.transaction(async (manager) => {
      const { entity, apiKey } = await this.insertKey(manager, dto.name, dto.scopes, actor.principal.actorId);
      await this.audit.record(manager, actor, {
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: entity.id,
        details: { name: entity.name, scopes: entity.scopes },
      });
      return { entity, apiKey };
    });
  }

  async insertKey(
    manager: EntityManager,
    name: string,
    scopes: ApiKeyScope[],
    createdBy: string | null,
  ): Promise<{ entity: ApiKeyEntity; apiKey: string }> {
    const id = randomUUID();
    const apiKey = `pnk_${id.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
    const entity = await manager.save(
      manager.create(ApiKeyEntity, { id, name: name.trim(), keyHash: sha256(apiKey), scopes, createdBy }),
    );
    return { entity, apiKey };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Revokes a key; it stops working with the next request. Revoking twice is harmless. */
  async revoke(id: string, actor: Actor): Promise<ApiKeyEntity> {
    return this.dataSource.transaction(async (manager) => {
      const key = await manager.findOne(ApiKeyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new NotFoundError('api_key_not_found', `API key ${id} does not exist.`);
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await manager.save(key);
      }
      await this.audit.record(manager, actor, { action: 'api_key.revoke', targetType: 'api_key', targetId: id });
      return key;
    }).finally(() => {
      // Also done by the change feed; said here too because "stops working at once" depends on it.
      this.epoch++;
      for (const [hash, entry] of this.verified) if (entry.keyId === id) this.verified.delete(hash);
    });
  }

  /**
   * The principal behind a key verified earlier, without touching the database; undefined when
   * the key is not (or no longer) in memory — then `verify` decides.
   */
  verifyCached(presented: string): Principal | undefined {
    if (!this.changes?.live) return undefined;
    const entry = this.verified.get(sha256(presented).toString('base64'));
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
    const epoch = this.epoch;
    const key = await this.dataSource.getRepository(ApiKeyEntity).findOne({ where: { id } });
    if (!key || key.revokedAt) return undefined;
    const hash = sha256(presented);
    if (!timingSafeEqual(key.keyHash, hash)) return undefined;
    this.touch(key);
    const principal: Principal = { roles: [...key.scopes], actorType: 'api_key', actorId: key.id, credential: `api_key:${key.id}` };
    // Kept only if nothing was invalidated while the row was being read (it might be the old row).
    if (this.changes?.live && epoch === this.epoch) {
      this.verified.set(hash.toString('base64'), {
        principal,
        keyId: key.id,
        lastUsedAt: Math.max(key.lastUsedAt?.getTime() ?? 0, Date.now()),
      });
    }
    return principal;
  }

  /** True when at least one unrevoked key has the admin scope. */
  async hasActiveAdminKey(): Promise<boolean> {
    return this.dataSource
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

  private recordUse(id: string, now: number): void {
    this.dataSource
      .getRepository(ApiKeyEntity)
      .update({ id, revokedAt: IsNull() }, { lastUsedAt: new Date(now) })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record API key use'));
  }
}
