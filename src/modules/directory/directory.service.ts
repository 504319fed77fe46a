import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { IsNull } from 'typeorm';
import { DomainEvents } from '../../database/domain-events';
import { Page, PageRequest, paginate } from '../../common/pagination/paginate';
import { AuditService } from '../audit/audit.service';
import { DashboardIdentity, DashboardUsers } from '../auth/dashboard-users';
import type { Actor, Principal } from '../../common/auth/principal';
import { InvalidInputError } from '../../common/errors/domain-error';
import { PropertyManagerNotFoundError, PropertyManagerOffboardedError, RealtorNotFoundError } from './directory.errors';
import { CreatePropertyManagerDto, UpdatePropertyManagerDto } from './dto/property-manager.dto';
import { CreateRealtorDto, UpdateRealtorDto } from './dto/realtor.dto';
import { PropertyManagerEntity } from './entities/property-manager.entity';
import { RealtorEntity } from './entities/realtor.entity';

/** Property managers and their realtors: who may own and hold numbers. */
@Injectable()
export class DirectoryService implements DashboardUsers {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  @Transactional()
  async createPropertyManager(dto: CreatePropertyManagerDto, actor: Actor): Promise<PropertyManagerEntity> {
    const manager = this.txHost.tx;
    const pm = await manager.save(
      manager.create(PropertyManagerEntity, {
        name: dto.name.trim(),
        email: dto.email.trim(),
        authUserId: dto.auth_user_id ?? null,
        companyName: dto.company_name ?? null,
      }),
    );
    await this.audit.record(actor, { action: 'property_manager.create', targetType: 'property_manager', targetId: pm.id });
    this.events.publish({ t: 'directory' });
    return pm;
  }

  /** Changes a PM's name, email or company (admin). */
  @Transactional()
  async updatePropertyManager(id: number, dto: UpdatePropertyManagerDto, actor: Actor): Promise<PropertyManagerEntity> {
    const changed = requireSomeField(dto);
    const pm = await this.requirePropertyManager(id, { lock: true });
    if (dto.name !== undefined) pm.name = dto.name.trim();
    if (dto.email !== undefined) pm.email = dto.email.trim();
    if (dto.company_name !== undefined) pm.companyName = dto.company_name;
    await this.txHost.tx.save(pm);
    await this.audit.record(actor, { action: 'property_manager.update', targetType: 'property_manager', targetId: id, details: { fields: changed } });
    this.events.publish({ t: 'directory' });
    return pm;
  }

  listPropertyManagers(page: PageRequest): Promise<Page<PropertyManagerEntity>> {
    return paginate(this.txHost.tx.getRepository(PropertyManagerEntity).createQueryBuilder('pm'), page);
  }

  async createRealtor(propertyManagerId: number, dto: CreateRealtorDto): Promise<RealtorEntity> {
    const realtor = await this.txHost.tx.getRepository(RealtorEntity).save({
      propertyManagerId,
      name: dto.name.trim(),
      email: dto.email.trim(),
      authUserId: dto.auth_user_id ?? null,
    });
    // A PM's lookup answer lists their realtors.
    this.events.publish({ t: 'directory' });
    return realtor;
  }

  /** Changes one of the PM's realtors' name or email. */
  @Transactional()
  async updateRealtor(propertyManagerId: number, realtorId: number, dto: UpdateRealtorDto): Promise<RealtorEntity> {
    requireSomeField(dto);
    const realtor = await this.requireRealtorOf(propertyManagerId, realtorId, { lock: true });
    if (dto.name !== undefined) realtor.name = dto.name.trim();
    if (dto.email !== undefined) realtor.email = dto.email.trim();
    await this.txHost.tx.save(realtor);
    this.events.publish({ t: 'directory' });
    return realtor;
  }

  /**
   * Marks a (locked) realtor removed. The database refuses it while they hold a number: the
   * caller frees it first, in the same transaction.
   */
  async markRealtorRemoved(realtor: RealtorEntity, now = new Date()): Promise<RealtorEntity> {
    realtor.removedAt = now;
    await this.txHost.tx.update(RealtorEntity, { id: realtor.id }, { removedAt: now });
    this.events.publish({ t: 'directory' });
    return realtor;
  }

  /** Marks a (locked) PM offboarded; the database refuses it while a number of theirs is in service. */
  async markOffboarded(pm: PropertyManagerEntity, now = new Date()): Promise<PropertyManagerEntity> {
    if (pm.offboardedAt) return pm;
    pm.offboardedAt = now;
    await this.txHost.tx.update(PropertyManagerEntity, { id: pm.id }, { offboardedAt: now });
    this.events.publish({ t: 'directory' });
    return pm;
  }

  listRealtors(propertyManagerId: number, page: PageRequest): Promise<Page<RealtorEntity>> {
    const query = this.txHost.tx
      .getRepository(RealtorEntity)
      .createQueryBuilder('realtor')
      .where('realtor.property_manager_id = :propertyManagerId AND realtor.removed_at IS NULL', { propertyManagerId });
    return paginate(query, page);
  }

  /** All of a PM's current realtors (not removed), in id order. With `lock`, each row is locked. */
  allRealtorsOf(propertyManagerId: number, options: { lock?: boolean } = {}): Promise<RealtorEntity[]> {
    return this.txHost.tx.find(RealtorEntity, {
      where: { propertyManagerId, removedAt: IsNull() },
      order: { id: 'ASC' },
      ...(options.lock ? { lock: { mode: 'for_no_key_update' as const } } : {}),
    });
  }

  countRealtorsOf(propertyManagerId: number): Promise<number> {
    return this.txHost.tx.count(RealtorEntity, { where: { propertyManagerId, removedAt: IsNull() } });
  }

  /**
   * The PM, or PropertyManagerNotFoundError. With `lock`, the row is locked FOR NO KEY UPDATE:
   * it serialises changes to what the PM holds without blocking foreign-key checks against it.
   */
  async requirePropertyManager(id: number, options: { lock?: boolean } = {}): Promise<PropertyManagerEntity> {
    const pm = await this.txHost.tx.findOne(PropertyManagerEntity, {
      where: { id },
      ...(options.lock ? { lock: { mode: 'for_no_key_update' as const } } : {}),
    });
    if (!pm) throw new PropertyManagerNotFoundError(id);
    return pm;
  }

  /** As `requirePropertyManager`, refusing (409) a PM who was offboarded: nothing new for them. */
  async requireActivePropertyManager(id: number, options: { lock?: boolean } = {}): Promise<PropertyManagerEntity> {
    const pm = await this.requirePropertyManager(id, options);
    if (pm.offboardedAt) throw new PropertyManagerOffboardedError(id);
    return pm;
  }

  /**
   * The realtor, if they belong to `propertyManagerId`; a realtor of another PM, or a removed
   * one, is "not found".
   */
  async requireRealtorOf(propertyManagerId: number, realtorId: number, options: { lock?: boolean } = {}): Promise<RealtorEntity> {
    const realtor = await this.txHost.tx.findOne(RealtorEntity, {
      where: { id: realtorId, propertyManagerId, removedAt: IsNull() },
      ...(options.lock ? { lock: { mode: 'for_no_key_update' as const } } : {}),
    });
    if (!realtor) throw new RealtorNotFoundError(realtorId);
    return realtor;
  }

  /**
   * Maps a verified JWT subject to the PM or realtor it belongs to. Returns only the
   * identity part of a principal; the caller adds roles from the token. A removed realtor and
   * an offboarded PM are nobody: their dashboard access stops with the commit that removed them.
   */
  async findDashboardUser(authUserId: string): Promise<DashboardIdentity> {
    const pm = await this.txHost.tx.getRepository(PropertyManagerEntity).findOne({ where: { authUserId, offboardedAt: IsNull() } });
    if (pm) return { roles: ['property_manager'], propertyManagerId: pm.id };
    const realtor = await this.txHost.tx.getRepository(RealtorEntity).findOne({ where: { authUserId, removedAt: IsNull() } });
    if (realtor) {
      return { roles: ['realtor'], realtorId: realtor.id, realtorPropertyManagerId: realtor.propertyManagerId };
    }
    return { roles: [] };
  }
}

/** A change names at least one field; returns their names. */
function requireSomeField(dto: object): string[] {
  const fields = Object.entries(dto).filter(([, value]) => value !== undefined).map(([key]) => key);
  if (fields.length === 0) throw new InvalidInputError('no_fields', 'Give at least one field to change.');
  return fields;
}
