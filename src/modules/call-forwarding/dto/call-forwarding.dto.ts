import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';
import type { CarrierType } from '../carriers';

export class CarrierDto {
  /** @example "AT&T" */
  name: string;
  type: CarrierType;
  notes: string;
}

export class CarrierListDto {
  carriers: CarrierDto[];
}

export class ForwardingStateQueryDto {
  /** PM only: one of your realtors instead of yourself. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2_147_483_647)
  realtor_id?: number;
}

export class UpdateForwardingStateDto {
  /** One of `GET /call-forwarding-carriers` (any case). @example "Verizon" */
  @IsOptional() @IsString() @MaxLength(100)
  carrier?: string;

  @IsOptional() @IsBoolean()
  business_forwarding_enabled?: boolean;

  @IsOptional() @IsBoolean()
  after_hours_enabled?: boolean;

  /** What the person saw after dialling the codes. `success` and `failure` text the operations number. */
  @IsOptional() @IsIn(['success', 'failure', 'pending'])
  confirmation_status?: 'success' | 'failure' | 'pending';

  /** With `failure`; default "Carrier did not confirm forwarding." */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500)
  failure_reason?: string;

  /** Kept with the event. */
  @IsOptional() @IsString() @MaxLength(1000)
  notes?: string;

  /** PM only: change one of your realtors instead of yourself. */
  @IsOptional() @IsInt() @Min(1) @Max(2_147_483_647)
  realtor_id?: number;
}

export class ForwardingStateDto {
  carrier: string | null;
  business_forwarding_enabled: boolean;
  after_hours_enabled: boolean;
  last_after_hours_update: Date | null;
  business_forwarding_confirmed_at: Date | null;
  after_hours_last_enabled_at: Date | null;
  after_hours_last_disabled_at: Date | null;
  forwarding_failure_reason: string | null;
  last_forwarding_update: Date | null;
}

export class CodeSetDto {
  activate: string | null;
  deactivate: string | null;
  check: string | null;
}

export class ForwardingCodesDto {
  /** The carrier the codes are for (AT&T when none or an unknown one is set). */
  carrier: string;
  carrier_type: CarrierType;
  /** Forward every call (business hours). */
  forward_all: CodeSetDto;
  /** Forward unanswered calls (after hours). */
  no_answer: CodeSetDto;
  custom_ring_time: boolean;
  ring_time_seconds: number | null;
  notes: string;
}

export class ForwardingStateViewDto {
  user_type: 'property_manager' | 'realtor';
  user_id: number;
  /** The number assigned to the person now, or null. */
  twilio_number: string | null;
  forwarding_state: ForwardingStateDto;
  /** Computed from `twilio_number`: every code is null without one. */
  forwarding_codes: ForwardingCodesDto;
}

export class ForwardingEventsQueryDto extends PageQueryDto {}

export class AdminForwardingEventsQueryDto extends PageQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2_147_483_647)
  property_manager_id?: number;
}

export class ForwardingEventDto {
  event_id: number;
  target_user_type: 'property_manager' | 'realtor';
  target_user_id: number;
  property_manager_id: number;
  /** `forwarding_updated`, `forwarding_confirmed` or `forwarding_failed`. */
  action: string;
  initiated_by_user_type: string;
  initiated_by_user_id: number;
  event_metadata: Record<string, unknown>;
  created_at: Date;
}

export class ForwardingEventListDto {
  /** Newest first. */
  events: ForwardingEventDto[];
  next_cursor: string | null;
}
