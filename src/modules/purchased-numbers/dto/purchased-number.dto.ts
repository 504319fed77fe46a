import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Max, Min } from 'class-validator';
import { IsE164PhoneNumber } from '../../../common/phone/is-e164-phone-number.decorator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';
import { RealtorDto } from '../../directory/dto/realtor.dto';
import { NUMBER_STATUSES, type AssigneeType, type NumberStatus } from '../../numbers/entities/purchased-phone-number.entity';

export class AddPurchasedNumberDto {
  /** The PM the number is for. @example 1 */
  @IsInt() @Min(1) @Max(2_147_483_647)
  property_manager_id: number;

  /** E.164. @example "+14125551234" */
  @IsE164PhoneNumber()
  phone_number: string;

  /** Twilio's SID, if bought at Twilio; generated (prefix `local-`) when omitted. @example "PN1234567890abcdef" */
  @IsOptional() @IsString() @Matches(/^PN[0-9a-fA-F]{16,32}$/, { message: 'twilio_sid must be a Twilio phone number SID: PN followed by hex digits' })
  twilio_sid?: string;

  /** VAPI's id for the number, if registered with VAPI. @example "vapi_123" */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'vapi_phone_number_id must be 1 to 64 letters, digits, - or _' })
  vapi_phone_number_id?: string;

  /** @example "Purchased from Twilio" */
  @IsOptional() @IsString() @MaxLength(1000)
  notes?: string;
}

/** Up to 1,000 numbers at once, all or nothing. */
export class AddPurchasedNumbersDto {
  /** Each item is an `add-purchased-number` body. */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => AddPurchasedNumberDto)
  numbers: AddPurchasedNumberDto[];
}

export class AddedPurchasedNumberDto {
  /** @example "Phone number +14125551234 added successfully and is now available for assignment" */
  message: string;
  /** @example 1 */
  purchased_phone_number_id: number;
  /** @example "+14125551234" */
  phone_number: string;
  /** @example "PN1234567890abcdef" */
  twilio_sid: string;
  /** @example "vapi_123" */
  vapi_phone_number_id: string | null;
  /** @example "available" */
  status: NumberStatus;
  /** @example 1 */
  property_manager_id: number;
  /** @example "John Smith" */
  pm_name: string;
  /** @example "john@example.com" */
  pm_email: string;
  /** The PM's pending requests this number fulfilled. @example [1] */
  fulfilled_request_ids: number[];
}

export class ListPurchasedNumbersQueryDto extends PageQueryDto {
  /** Only this PM's numbers. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2_147_483_647)
  property_manager_id?: number;

  /** Only numbers in this status. */
  @IsOptional() @IsIn(NUMBER_STATUSES, { message: `status must be one of: ${NUMBER_STATUSES.join(', ')}` })
  status?: NumberStatus;
}

export class PurchasedNumberDto {
  /** @example 1 */
  purchased_phone_number_id: number;
  /** @example 1 */
  property_manager_id: number;
  /** @example "+14125551234" */
  phone_number: string;
  /** @example "PN1234567890abcdef" */
  twilio_sid: string;
  /** @example "vapi_123" */
  vapi_phone_number_id: string | null;
  /** @example "available" */
  status: NumberStatus;
  /** `property_manager` or `realtor`; null unless assigned. */
  assigned_to_type: AssigneeType | null;
  assigned_to_id: number | null;
  /** @example "2024-01-15T10:30:00Z" */
  purchased_at: Date;
  assigned_at: Date | null;
  /** @example "Purchased from Twilio" */
  notes: string | null;
  released_at: Date | null;
}

export class PurchasedNumberListDto {
  purchased_numbers: PurchasedNumberDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

export class MyPurchasedNumbersDto {
  /** All of the PM's numbers, oldest first. */
  purchased_numbers: PurchasedNumberDto[];
  /** Those that can be assigned now (`available`). */
  available_for_assignment: PurchasedNumberDto[];
  /** The PM's realtors, who can be given a number. */
  realtors: RealtorDto[];
}

export class AddedPurchasedNumbersDto {
  /** One result per number, in the order sent. */
  numbers: AddedPurchasedNumberDto[];
}
