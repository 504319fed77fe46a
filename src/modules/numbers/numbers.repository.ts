import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EntityManager } from 'typeorm';
import { paginate, Page, PageRequest } from '../../common/pagination/paginate';
import { NumberAssignmentHistoryEntity } from './entities/number-assignment-history.entity';
import { NumberStatus, PurchasedPhoneNumberEntity } from './entities/purchased-phone-number.entity';
import type { Assignee, EndedAssignment } from './number-transitions';
import { NumberNotFoundError } from './numbers.errors';

export interface NumberFilter {
  propertyManagerId?: number;
  status?: NumberStatus;
}

/**
 * Every read and write of number rows and their assignment history, in the transaction the call
 * runs in. The only code that writes `purchased_phone_numbers`.
 */
@Injectable()
export class NumbersRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get manager(): EntityManager {
    return this.txHost.tx;
  }

  /**
   * The one lock helper: the number's row, locked until the transaction ends. With `ownedBy`, a
   * number of another PM is "not found" (a PM never learns it exists).
   */
  async lock(id: number, ownedBy?: number): Promise<PurchasedPhoneNumberEntity> {
    const number = await this.manager.findOne(PurchasedPhoneNumberEntity, {
      where: ownedBy === undefined ? { id } : { id, propertyManagerId: ownedBy },
      lock: { mode: 'pessimistic_write' },
    });
    if (!number) throw new NumberNotFoundError(id);
    return number;
  }

  /** The number `assignee` of PM `propertyManagerId` holds now, locked; null when none. */
  lockHeldBy(propertyManagerId: number, assignee: Assignee): Promise<PurchasedPhoneNumberEntity | null> {
    return this.manager.findOne(PurchasedPhoneNumberEntity, {
      where: assignee.type === 'realtor' ? { assignedRealtorId: assignee.realtorId } : { propertyManagerId, assignedToType: 'property_manager' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  findHeldBy(propertyManagerId: number, assignee: Assignee): Promise<PurchasedPhoneNumberEntity | null> {
    return this.manager.findOne(PurchasedPhoneNumberEntity, {
      where: assignee.type === 'realtor' ? { assignedRealtorId: assignee.realtorId } : { propertyManagerId, assignedToType: 'property_manager' },
    });
  }

  insert(values: Pick<PurchasedPhoneNumberEntity, 'propertyManagerId' | 'phoneNumber' | 'twilioSid' | 'vapiPhoneNumberId' | 'notes'>): Promise<PurchasedPhoneNumberEntity> {
    return this.manager.save(this.manager.create(PurchasedPhoneNumberEntity, { ...values, status: 'available' }));
  }

  /** Saves a changed (locked) number and the assignment period its change ended, if any. */
  async save(number: PurchasedPhoneNumberEntity, ended?: EndedAssignment): Promise<void> {
    if (ended) await this.manager.insert(NumberAssignmentHistoryEntity, ended);
    await this.manager.save(number);
  }

  page(filter: NumberFilter, page: PageRequest): Promise<Page<PurchasedPhoneNumberEntity>> {
    const query = this.manager.getRepository(PurchasedPhoneNumberEntity).createQueryBuilder('number');
    if (filter.propertyManagerId !== undefined) query.andWhere('number.property_manager_id = :pm', { pm: filter.propertyManagerId });
    if (filter.status !== undefined) query.andWhere('number.status = :status', { status: filter.status });
    return paginate(query, page);
  }

  /** Every number of the PM, locked, in id order (one order for every caller: no deadlocks). */
  lockAllOwnedBy(propertyManagerId: number): Promise<PurchasedPhoneNumberEntity[]> {
    return this.manager.find(PurchasedPhoneNumberEntity, { where: { propertyManagerId }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
  }

  async countByStatus(propertyManagerId: number): Promise<Record<NumberStatus, number>> {
    const rows: Array<{ status: NumberStatus; count: string }> = await this.manager.query(
      `SELECT status, count(*) AS count FROM purchased_phone_numbers WHERE property_manager_id = $1 GROUP BY status`,
      [propertyManagerId],
    );
    const counts: Record<NumberStatus, number> = { available: 0, assigned: 0, inactive: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  ownedBy(propertyManagerId: number): Promise<PurchasedPhoneNumberEntity[]> {
    return this.manager.find(PurchasedPhoneNumberEntity, { where: { propertyManagerId }, order: { id: 'ASC' } });
  }
}
