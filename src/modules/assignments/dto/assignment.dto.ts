import { IsIn, IsInt, Max, Min, ValidateIf } from 'class-validator';
import { PurchasedNumberDto } from '../../purchased-numbers/dto/purchased-number.dto';
import { ASSIGNEE_TYPES, type AssigneeType } from '../../numbers/entities/purchased-phone-number.entity';

export class AssignNumberDto {
  /** @example 1 */
  @IsInt() @Min(1) @Max(2_147_483_647)
  purchased_phone_number_id: number;

  /** @example "realtor" */
  @IsIn(ASSIGNEE_TYPES, { message: `assign_to_type must be one of: ${ASSIGNEE_TYPES.join(', ')}` })
  assign_to_type: AssigneeType;

  /** The realtor's id (required for a realtor; for yourself it may be omitted). @example 3 */
  @ValidateIf((dto: AssignNumberDto) => dto.assign_to_type === 'realtor' || dto.assign_to_id !== undefined)
  @IsInt({ message: 'assign_to_id is required for a realtor and must be an integer' }) @Min(1) @Max(2_147_483_647)
  assign_to_id?: number;
}

export class UnassignNumberDto {
  /** @example 1 */
  @IsInt() @Min(1) @Max(2_147_483_647)
  purchased_phone_number_id: number;
}

export class AssignmentResultDto extends PurchasedNumberDto {
  /** @example "Phone number +14125551234 assigned to realtor 3" */
  message: string;
  /** The assignee's previous number, freed by this assignment, if they had one. */
  freed_purchased_phone_number_id: number | null;
}

export class UnassignmentResultDto extends PurchasedNumberDto {
  /** @example "Phone number +14125551234 is now available" */
  message: string;
}

export class MyNumberDto {
  /** @example 1 */
  purchased_phone_number_id: number;
  /** @example "+14125551234" */
  phone_number: string;
  /** @example "realtor" */
  assigned_to_type: AssigneeType;
  /** @example 3 */
  assigned_to_id: number;
  /** The PM who owns the number. @example 1 */
  property_manager_id: number;
  assigned_at: Date;
}

