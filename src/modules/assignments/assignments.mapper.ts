import type { PurchasedPhoneNumberEntity } from '../numbers/entities/purchased-phone-number.entity';
import type { AssignmentOutcome } from '../numbers/numbers.service';
import { toPurchasedNumberDto } from '../purchased-numbers/purchased-numbers.mapper';
import { AssignmentResultDto, MyNumberDto, UnassignmentResultDto } from './dto/assignment.dto';

export const toAssignmentResultDto = ({ number, freedNumberId }: AssignmentOutcome): AssignmentResultDto => ({
  message: `Phone number ${number.phoneNumber} assigned to ${number.assignedToType} ${number.assignedToId}`,
  ...toPurchasedNumberDto(number),
  freed_purchased_phone_number_id: freedNumberId,
});

export const toUnassignmentResultDto = (number: PurchasedPhoneNumberEntity): UnassignmentResultDto => ({
  message: `Phone number ${number.phoneNumber} is now available`,
  ...toPurchasedNumberDto(number),
});

export const toMyNumberDto = (number: PurchasedPhoneNumberEntity): MyNumberDto => ({
  purchased_phone_number_id: number.id,
  phone_number: number.phoneNumber,
  assigned_to_type: number.assignedToType!,
  assigned_to_id: number.assignedToId!,
  property_manager_id: number.propertyManagerId,
  assigned_at: number.assignedAt!,
});
