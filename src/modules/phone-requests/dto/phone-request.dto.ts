import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, Max } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';
import { REQUEST_STATUSES, type RequestStatus } from '../entities/phone-number-request.entity';

export class CreatePhoneRequestDto {
  /** Country calling code. Defaults to "+1". @example "+1" */
  @IsOptional() @IsString() @Matches(/^\+[1-9]\d{0,2}$/, { message: 'country_code must look like +1 or +44' })
  country_code?: string;

  /** Preferred area code. @example "412" */
  @IsOptional() @IsString() @Matches(/^\d{2,5}$/, { message: 'area_code must be 2 to 5 digits, e.g. 412' })
  area_code?: string;

  /** @example "Need number for new realtor" */
  @IsOptional() @IsString() @MaxLength(1000)
  notes?: string;
}

export class ListMyPhoneRequestsQueryDto extends PageQueryDto {
  /** Only requests in this status. */
  @IsOptional() @IsIn(REQUEST_STATUSES, { message: `status must be one of: ${REQUEST_STATUSES.join(', ')}` })
  status?: RequestStatus;
}

export class ListAllPhoneRequestsQueryDto extends ListMyPhoneRequestsQueryDto {
  /** Only this PM's requests. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2_147_483_647)
  property_manager_id?: number;
}

export class PhoneRequestDto {
  /** @example 1 */
  request_id: number;
  /** @example 1 */
  property_manager_id: number;
  /** @example "+1" */
  country_code: string;
  /** @example "412" */
  area_code: string | null;
  /** @example "pending" */
  status: RequestStatus;
  /** @example "Need number for new realtor" */
  notes: string | null;
  /** @example "2024-01-15T10:30:00Z" */
  requested_at: Date;
  fulfilled_at: Date | null;
  cancelled_at: Date | null;
  /** The number that fulfilled this request, once fulfilled. */
  fulfilled_by_purchased_phone_number_id: number | null;
}

export class PhoneRequestListDto {
  requests: PhoneRequestDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}
