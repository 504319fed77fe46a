import { Injectable } from '@nestjs/common';
import { ForbiddenError } from '../../common/errors/domain-error';
import type { Principal } from '../auth/principal';
import { PurchasedPhoneNumberEntity } from '../numbers/entities/purchased-phone-number.entity';
import { AssignmentOutcome, NumbersService } from '../numbers/numbers.service';
import { AssignNumberDto } from './dto/assignment.dto';

/** The dashboard's assignment use cases; the numbers module applies them. */
@Injectable()
export class AssignmentsService {
  constructor(private readonly numbers: NumbersService) {}

  /** Assigns one of the PM's available numbers to the PM or one of their realtors. */
  assign(propertyManagerId: number, dto: AssignNumberDto): Promise<AssignmentOutcome> {
    if (dto.assign_to_type === 'property_manager' && dto.assign_to_id !== undefined && dto.assign_to_id !== propertyManagerId) {
      throw new ForbiddenError('You can assign numbers only to yourself or one of your realtors.', 'not_your_assignee');
    }
    const to = dto.assign_to_type === 'realtor' ? { type: 'realtor' as const, realtorId: dto.assign_to_id! } : { type: 'property_manager' as const };
    return this.numbers.assign(propertyManagerId, dto.purchased_phone_number_id, to);
  }

  /** Frees one of the PM's assigned numbers; it becomes available again. */
  unassign(propertyManagerId: number, numberId: number): Promise<PurchasedPhoneNumberEntity> {
    return this.numbers.unassign(propertyManagerId, numberId);
  }

  /** The number currently assigned to the calling PM or realtor. */
  findNumberOf(principal: Principal): Promise<PurchasedPhoneNumberEntity> {
    return principal.realtorId !== undefined
      ? this.numbers.heldBy({ propertyManagerId: principal.realtorPropertyManagerId!, realtorId: principal.realtorId })
      : this.numbers.heldBy({ propertyManagerId: principal.propertyManagerId! });
  }
}
