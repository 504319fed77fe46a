import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { findPage, Page } from '../../common/pagination/find-page';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async createPropertyManager(dto: CreatePropertyManagerDto, actor: Actor): Promise<PropertyManagerEntity> {
    return this.dataSource.transaction(async (manager) => {
      const pm = await manager.save(
        manager.create(PropertyManagerEntity, {
          name: dto.name.trim(),
          email: dto.email.trim(),
          authUserId: dto.auth_user_id ?? null,
          companyName: dto.company_name ?? null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'property_manager.create',
        targetType: 'property_manager',
        targetId: pm.id,
      });
      return pm;
    });
  }

  listPropertyManagers(page: PageQueryDto): Promise<Page<PropertyManagerEntity>> {
    return findPage(this.dataSource.getRepository(PropertyManagerEntity).createQueryBuilder('pm'), page);
  }

  async createRealtor(propertyManagerId: number, dto: CreateRealtorDto): Promise<RealtorEntity> {
    return this.dataSource.getRepository(RealtorEntity).save({
      propertyManagerId,
      name: dto.name.trim(),
      email: dto.email.trim(),
      authUserId: dto.auth_user_id ?? null,
    });
  }

  listRealtors(propertyManagerId: number, page: PageQueryDto): Promise<Page<RealtorEntity>> {
    const query = this.dataSource
      .getRepository(RealtorEntity)
      .createQueryBuilder('realtor')
      .where('realtor.property_manager_id = :propertyManagerId', { propertyManagerId });
    return findPage(query, page);
  }

  /**
   * The PM, or PropertyManagerNotFoundError. With `lockRow`, the row is locked FOR NO KEY UPDATE:
   * it serialises changes to what the PM holds without blocking foreign-key checks against it.
   */
  async requirePropertyManager(manager: EntityManager, id: number, lockRow = false): Promise<PropertyManagerEntity> {
    const pm = await manager.findOne(PropertyManagerEntity, {
      where: { id },
      ...(lockRow ? { lock: { mode: 'for_no_key_update' as const } } : {}),
    });
    if (!pm) throw new PropertyManagerNotFoundError(id);
    return pm;
  }

  /** The realtor, if they belong to `propertyManagerId`; a realtor of another PM is "not found". */
  async requireRealtorOf(manager: EntityManager, propertyManagerId: number, realtorId: number, lockRow = false): Promise<RealtorEntity> {
    const realtor = await manager.findOne(RealtorEntity, {
      where: { id: realtorId, propertyManagerId },
      ...(lockRow ? { lock: { mode: 'for_no_key_update' as const } } : {}),
    });
    if (!realtor) throw new RealtorNotFoundError(realtorId);
    return realtor;
  }

  /**
   * Maps a verified JWT subject to the PM or realtor it belongs to. Returns only the
   * identity part of a principal; the caller adds roles from the token.
   */
  async findDashboardUser(authUserId: string): Promise<Pick<Principal, 'roles' | 'propertyManagerId' | 'realtorId' | 'realtorPropertyManagerId'>> {
    const pm = await this.dataSource.getRepository(PropertyManagerEntity).findOne({ where: { authUserId } });
    if (pm) return { roles: ['property_manager'], propertyManagerId: pm.id };
    const realtor = await this.dataSource.getRepository(RealtorEntity).findOne({ where: { authUserId } });
    if (realtor) {
      return { roles: ['realtor'], realtorId: realtor.id, realtorPropertyManagerId: realtor.propertyManagerId };
    }
    return { roles: [] };
  }
}
