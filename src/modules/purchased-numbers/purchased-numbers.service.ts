import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { findPage, Page } from '../../common/pagination/find-page';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { AssignmentsService } from '../assignments/assignments.service';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/principal';
import { DirectoryService } from '../directory/directory.service';
import { PropertyManagerEntity } from '../directory/entities/property-manager.entity';
import { RealtorEntity } from '../directory/entities/realtor.entity';
import { PhoneRequestsService } from '../phone-requests/phone-requests.service';
import { AddPurchasedNumberDto } from './dto/purchased-number.dto';
import { NumberStatus, PurchasedPhoneNumberEntity } from './entities/purchased-phone-number.entity';
import { NumberNotFoundError, NumberReleasedError, NumberStateConflictError } from './purchased-numbers.errors';

export interface NewNumber {
  propertyManagerId: number;
  phoneNumber: string;
  twilioSid?: string;
  vapiPhoneNumberId?: string | null;
  notes?: string | null;
}

export interface AddedNumber {
  number: PurchasedPhoneNumberEntity;
  propertyManager: PropertyManagerEntity;
  fulfilledRequestIds: number[];
}

export interface NumberFilter {
  propertyManagerId?: number;
  status?: NumberStatus;
}

/** SIDs we make up for numbers bought elsewhere; never mistakable for Twilio's `PN…`. */
export const generateLocalSid = () => `local-${randomBytes(16).toString('hex')}`;

/** The numbers we own: recording them, listing them, taking them in and out of service. */
@Injectable()
export class PurchasedNumbersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
    private readonly requests: PhoneRequestsService,
    private readonly assignments: AssignmentsService,
    private readonly audit: AuditService,
  ) {}

  /** The guide's "add purchased number": record it available and fulfil the PM's pending requests. */
  async addPurchased(dto: AddPurchasedNumberDto, actor: Actor): Promise<AddedNumber> {
    return this.dataSource.transaction(async (manager) => {
      const added = await this.recordNumber(manager, {
        propertyManagerId: dto.property_manager_id,
        phoneNumber: dto.phone_number,
        twilioSid: dto.twilio_sid,
        vapiPhoneNumberId: dto.vapi_phone_number_id,
        notes: dto.notes,
      });
      await this.audit.record(manager, actor, {
        action: 'purchased_number.add',
        targetType: 'purchased_phone_number',
        targetId: added.number.id,
        details: { phone_number: added.number.phoneNumber, fulfilled_request_ids: added.fulfilledRequestIds },
      });
      return added;
    });
  }

  /**
   * Inserts a number as available and fulfils the PM's pending requests, in the caller's
   * transaction. Shared by the manual add and the automated purchase.
   */
  async recordNumber(manager: EntityManager, input: NewNumber): Promise<AddedNumber> {
    const propertyManager = await this.directory.requirePropertyManager(manager, input.propertyManagerId);
    const number = await manager.save(
      manager.create(PurchasedPhoneNumberEntity, {
        propertyManagerId: input.propertyManagerId,
        phoneNumber: input.phoneNumber,
        twilioSid: input.twilioSid ?? generateLocalSid(),
        vapiPhoneNumberId: input.vapiPhoneNumberId ?? null,
        notes: input.notes ?? null,
        status: 'available',
      }),
    );
    const fulfilledRequestIds = await this.requests.fulfilPending(manager, input.propertyManagerId, number.id);
    return { number, propertyManager, fulfilledRequestIds };
  }

  list(filter: NumberFilter, page: PageQueryDto): Promise<Page<PurchasedPhoneNumberEntity>> {
    const query = this.dataSource.getRepository(PurchasedPhoneNumberEntity).createQueryBuilder('number');
    if (filter.propertyManagerId !== undefined) {
      query.andWhere('number.property_manager_id = :pm', { pm: filter.propertyManagerId });
    }
    if (filter.status !== undefined) query.andWhere('number.status = :status', { status: filter.status });
    return findPage(query, page);
  }

  /** What the dashboard shows a PM: their numbers and their realtors. */
  async overviewFor(propertyManagerId: number): Promise<{ numbers: PurchasedPhoneNumberEntity[]; realtors: RealtorEntity[] }> {
    const [numbers, realtors] = await Promise.all([
      this.dataSource.getRepository(PurchasedPhoneNumberEntity).find({ where: { propertyManagerId }, order: { id: 'ASC' } }),
      this.dataSource.getRepository(RealtorEntity).find({ where: { propertyManagerId }, order: { id: 'ASC' } }),
    ]);
    return { numbers, realtors };
  }

  /** Takes a number out of service (status inactive); its assignment, if any, ends. */
  async deactivate(id: number, actor: Actor): Promise<PurchasedPhoneNumberEntity> {
    return this.dataSource.transaction(async (manager) => {
      const number = await this.lockNumber(manager, id);
      if (number.status === 'inactive') throw new NumberStateConflictError(id, number.status, 'it is already inactive');
      const previousStatus = number.status;
      await this.assignments.endCurrentAssignment(manager, number, 'deactivated');
      number.status = 'inactive';
      await manager.save(number);
      await this.audit.record(manager, actor, {
        action: 'purchased_number.deactivate',
        targetType: 'purchased_phone_number',
        targetId: id,
        details: { previous_status: previousStatus },
      });
      return number;
    });
  }

  /** Puts an inactive number back in service (available). A released number cannot return. */
  async reactivate(id: number, actor: Actor): Promise<PurchasedPhoneNumberEntity> {
    return this.dataSource.transaction(async (manager) => {
      const number = await this.lockNumber(manager, id);
      if (number.releasedAt) throw new NumberReleasedError(id);
      if (number.status !== 'inactive') throw new NumberStateConflictError(id, number.status, 'only an inactive number can be reactivated');
      number.status = 'available';
      await manager.save(number);
      await this.audit.record(manager, actor, {
        action: 'purchased_number.reactivate',
        targetType: 'purchased_phone_number',
        targetId: id,
      });
      return number;
    });
  }

  async lockNumber(manager: EntityManager, id: number): Promise<PurchasedPhoneNumberEntity> {
    const number = await manager.findOne(PurchasedPhoneNumberEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!number) throw new NumberNotFoundError(id);
    return number;
  }
}
