import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ForbiddenError, NotFoundError } from '../../common/errors/domain-error';
import type { Principal } from '../auth/principal';
import { DirectoryService } from '../directory/directory.service';
import { PurchasedPhoneNumberEntity } from '../purchased-numbers/entities/purchased-phone-number.entity';
import { NumberNotFoundError, NumberReleasedError, NumberStateConflictError } from '../purchased-numbers/purchased-numbers.errors';
import { AssignNumberDto } from './dto/assignment.dto';
import { AssignmentEndReason, NumberAssignmentHistoryEntity } from './entities/number-assignment-history.entity';

export interface AssignmentOutcome {
  number: PurchasedPhoneNumberEntity;
  freedNumberId: number | null;
}

/**
 * Who holds which number. A number has at most one holder and a holder at most one number; the
 * database enforces both, this service keeps them true by freeing a holder's old number first.
 */
@Injectable()
export class AssignmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
  ) {}

  /** Assigns one of the PM's available numbers to the PM or one of their realtors. */
  async assign(propertyManagerId: number, dto: AssignNumberDto): Promise<AssignmentOutcome> {
    if (dto.assign_to_type === 'property_manager' && dto.assign_to_id !== undefined && dto.assign_to_id !== propertyManagerId) {
      throw new ForbiddenError('You can assign numbers only to yourself or one of your realtors.', 'not_your_assignee');
    }
    return this.dataSource.transaction(async (manager) => {
      // Lock order everywhere: assignee, then number; two assignments to one assignee queue up.
      if (dto.assign_to_type === 'realtor') {
        await this.directory.requireRealtorOf(manager, propertyManagerId, dto.assign_to_id!, true);
      } else {
        await this.directory.requirePropertyManager(manager, propertyManagerId, true);
      }
      const number = await this.lockNumber(manager, dto.purchased_phone_number_id, propertyManagerId);
      if (number.releasedAt) throw new NumberReleasedError(number.id);
      if (number.status !== 'available') {
        throw new NumberStateConflictError(number.id, number.status, 'only an available number can be assigned (unassign it first)');
      }

      const previous = await manager.findOne(PurchasedPhoneNumberEntity, {
        where:
          dto.assign_to_type === 'realtor'
            ? { assignedRealtorId: dto.assign_to_id! }
            : { propertyManagerId, assignedToType: 'property_manager' },
        lock: { mode: 'pessimistic_write' },
      });
      if (previous) await this.endCurrentAssignment(manager, previous, 'reassigned');

      number.status = 'assigned';
      number.assignedToType = dto.assign_to_type;
      number.assignedRealtorId = dto.assign_to_type === 'realtor' ? dto.assign_to_id! : null;
      number.assignedAt = new Date();
      await manager.save(number);
      return { number, freedNumberId: previous?.id ?? null };
    });
  }

  /** Frees one of the PM's assigned numbers; it becomes available again. */
  async unassign(propertyManagerId: number, numberId: number): Promise<PurchasedPhoneNumberEntity> {
    return this.dataSource.transaction(async (manager) => {
      const number = await this.lockNumber(manager, numberId, propertyManagerId);
      if (number.status !== 'assigned') {
        throw new NumberStateConflictError(number.id, number.status, 'only an assigned number can be unassigned');
      }
      await this.endCurrentAssignment(manager, number, 'unassigned');
      return number;
    });
  }

  /**
   * Ends the number's current assignment, if any, inside the caller's transaction (which must
   * hold the number's row lock): the period goes to history and the number becomes available.
   */
  async endCurrentAssignment(manager: EntityManager, number: PurchasedPhoneNumberEntity, reason: AssignmentEndReason): Promise<void> {
    if (number.status !== 'assigned' || !number.assignedToType || !number.assignedAt) return;
    const now = new Date();
    await manager.insert(NumberAssignmentHistoryEntity, {
      purchasedPhoneNumberId: number.id,
      assignedToType: number.assignedToType,
      propertyManagerId: number.propertyManagerId,
      realtorId: number.assignedRealtorId,
      assignedAt: number.assignedAt,
      unassignedAt: now < number.assignedAt ? number.assignedAt : now,
      endReason: reason,
    });
    number.status = 'available';
    number.assignedToType = null;
    number.assignedRealtorId = null;
    number.assignedAt = null;
    await manager.save(number);
  }

  /** The number currently assigned to the calling PM or realtor. */
  async findNumberOf(principal: Principal): Promise<PurchasedPhoneNumberEntity> {
    const repository = this.dataSource.getRepository(PurchasedPhoneNumberEntity);
    const number =
      principal.realtorId !== undefined
        ? await repository.findOne({ where: { assignedRealtorId: principal.realtorId } })
        : await repository.findOne({ where: { propertyManagerId: principal.propertyManagerId!, assignedToType: 'property_manager' } });
    if (!number) throw new NotFoundError('no_number_assigned', 'No phone number is assigned to you.');
    return number;
  }

  private async lockNumber(manager: EntityManager, id: number, propertyManagerId: number): Promise<PurchasedPhoneNumberEntity> {
    const number = await manager.findOne(PurchasedPhoneNumberEntity, {
      where: { id, propertyManagerId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!number) throw new NumberNotFoundError(id);
    return number;
  }
}
