import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DomainEvents } from '../../database/domain-events';
import { Page, PageRequest, paginate } from '../../common/pagination/paginate';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import { PropertyManagerNotFoundError, RealtorNotFoundError } from './directory.errors';
import { CreatePropertyManagerDto } from './dto/property-manager.dto';
import { CreateRealtorDto } from './dto/realtor.dto';
import { PropertyManagerEntity } from './entities/property-manager.entity';
import { RealtorEntity } from './entities/realtor.entity';

/** Property managers and their realtors: who may own and hold numbers. */
@Injectable()
export class DirectoryService {
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

  listRealtors(propertyManagerId: number, page: PageRequest): Promise<Page<RealtorEntity>> {
    const query = this.txHost.tx
      .getRepository(RealtorEntity)
      .createQueryBuilder('realtor')
      .where('realtor.property_manager_id = :propertyManagerId', { propertyManagerId });
    return paginate(query, page);
  }

  /** All of a PM's realtors, in id order (the dashboard's overview). */
  allRealtorsOf(propertyManagerId: number): Promise<RealtorEntity[]> {
    return this.txHost.tx.find(RealtorEntity, { where: { propertyManagerId }, order: { id: 'ASC' } });
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

  /** The realtor, if they belong to `propertyManagerId`; a realtor of another PM is "not found". */
  async requireRealtorOf(propertyManagerId: number, realtorId: number, options: { lock?: boolean } = {}): Promise<RealtorEntity> {
    const realtor = await this.txHost.tx.findOne(RealtorEntity, {
      where: { id: realtorId, propertyManagerId },
      ...(options.lock ? { lock: { mode: 'for_no_key_update' as const } } : {}),
    });
    if (!realtor) throw new RealtorNotFoundError(realtorId);
    return realtor;
  }

  /**
   * Maps a verified JWT subject to the PM or realtor it belongs to. Returns only the
   * identity part of a principal; the caller adds roles from the token.
   */
  async findDashboardUser(authUserId: string): Promise<Pick<Principal, 'roles' | 'propertyManagerId' | 'realtorId' | 'realtorPropertyManagerId'>> {
    const pm = await this.txHost.tx.getRepository(PropertyManagerEntity).findOne({ where: { authUserId } });
    if (pm) return { roles: ['property_manager'], propertyManagerId: pm.id };
    const realtor = await this.txHost.tx.getRepository(RealtorEntity).findOne({ where: { authUserId } });
    if (realtor) {
      return { roles: ['realtor'], realtorId: realtor.id, realtorPropertyManagerId: realtor.propertyManagerId };
    }
    return { roles: [] };
  }
}
