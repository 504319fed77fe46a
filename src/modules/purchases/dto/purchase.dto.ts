import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';
import { PURCHASE_STATES, type PurchaseState } from '../entities/purchase-operation.entity';

export class PurchasePhoneNumberDto {
  /** The PM the number is for. @example 1 */
  @IsInt() @Min(1) @Max(2_147_483_647)
  property_manager_id: number;

  /** US area code to search; defaults to "412". @example "412" */
  @IsOptional() @IsString() @Matches(/^[2-9][0-9]{2}$/, { message: 'area_code must be a 3-digit US area code' })
  area_code?: string;

  /** @example "Purchased via admin endpoint" */
  @IsOptional() @IsString() @MaxLength(1000)
  notes?: string;
}

export class PurchasedPhoneNumberResultDto {
  /** @example "Phone number purchased and added successfully" */
  message: string;
  /** @example 1 */
  purchased_phone_number_id: number;
  /** @example "+14125551234" */
  phone_number: string;
  /** @example "PN1234567890abcdef" */
  twilio_sid: string;
  /** @example "vapi_123" */
  vapi_phone_number_id: string;
  /** @example "available" */
  status: string;
  /** @example 1 */
  property_manager_id: number;
  /** Present (true) only in sandbox mode, where nothing was bought. */
  sandbox?: boolean;
}

export class ListPurchaseOperationsQueryDto extends PageQueryDto {
  /** Only operations in this state. */
  @IsOptional() @IsIn(PURCHASE_STATES, { message: `state must be one of: ${PURCHASE_STATES.join(', ')}` })
  state?: PurchaseState;

  /** Only unfinished operations the reconciler has already tried and not yet finished. */
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean()
  needs_attention?: boolean;
}

export class PurchaseOperationDto {
  operation_id: string;
  state: PurchaseState;
  property_manager_id: number;
  area_code: string;
  phone_number: string | null;
  twilio_sid: string | null;
  vapi_phone_number_id: string | null;
  purchased_phone_number_id: number | null;
  sandbox: boolean;
  /** Unfinished, and the reconciler has tried to finish it at least three times. */
  needs_attention: boolean;
  attempts: number;
  @ApiProperty({ type: 'object', nullable: true, properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] })
  error: { code: string; message: string } | null;
  last_error: string | null;
  idempotency_key: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export class PurchaseOperationListDto {
  purchase_operations: PurchaseOperationDto[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}
