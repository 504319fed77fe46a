import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsE164PhoneNumber } from '../../../common/phone/is-e164-phone-number.decorator';
import { AddedPurchasedNumberDto, PurchasedNumberDto } from '../../purchased-numbers/dto/purchased-number.dto';
import { DRIFT_KINDS, type DriftKind } from '../drift';

export class DriftQueryDto {
  /** Only findings of this kind (the summary still counts every kind). */
  @IsOptional() @IsIn(DRIFT_KINDS, { message: `kind must be one of: ${DRIFT_KINDS.join(', ')}` })
  kind?: DriftKind;
}

export class DriftOursDto {
  /** @example 12 */
  purchased_phone_number_id: number;
  /** @example 1 */
  property_manager_id: number;
  /** @example "assigned" */
  status: string;
  /** @example "PN0123456789abcdef0123456789abcdef" */
  twilio_sid: string;
  /** @example "5b8e1c0e-0000-4000-8000-000000000000" */
  vapi_phone_number_id: string | null;
}

export class DriftTwilioDto {
  /** @example "PN0123456789abcdef0123456789abcdef" */
  sid: string;
  /** @example "https://api.vapi.ai/twilio/inbound_call" */
  voice_url: string | null;
  /** @example "https://api.vapi.ai/twilio/sms" */
  sms_url: string | null;
  /** USD per month when Twilio reports it. @example null */
  monthly_price: number | null;
}

export class DriftVapiDto {
  /** @example "5b8e1c0e-0000-4000-8000-000000000000" */
  id: string;
  /** @example "https://pn.example.com/vapi/webhook" */
  server_url: string | null;
}

export class DriftFixDto {
  /** @example "POST" */
  method: string;
  /** @example "/admin/purchased-numbers/12/repair" */
  path: string;
  /** The body to send, when the call takes one (placeholders in angle brackets). */
  body?: Record<string, unknown>;
}

export class DriftFindingDto {
  /** @example "webhook_misconfigured" */
  kind: DriftKind;
  /** @example "+14125551234" */
  phone_number: string;
  /** What the problem is. */
  problem: string;
  /** Our row, or null when we have none. */
  ours: DriftOursDto | null;
  /** What Twilio holds, or null when it does not hold the number. */
  twilio: DriftTwilioDto | null;
  /** VAPI's registrations of the number (empty when none). */
  vapi: DriftVapiDto[];
  /** The call that fixes it. */
  fix: DriftFixDto;
}

export class DriftCountsDto {
  untracked_at_twilio: number;
  missing_at_twilio: number;
  not_registered_at_vapi: number;
  vapi_id_mismatch: number;
  orphan_at_vapi: number;
  webhook_misconfigured: number;
}

export class UntrackedCostDto {
  /** USD per month for the untracked numbers; null when no price is known for any. @example 2.3 */
  monthly_amount: number | null;
  /** @example "USD" */
  currency: string;
  /** Untracked numbers without a known price (neither Twilio's nor TWILIO_NUMBER_MONTHLY_PRICE). @example 0 */
  unpriced: number;
}

export class DriftInventoryDto {
  /** Our rows, of every status. */
  ours: number;
  /** Numbers Twilio holds on the account. */
  twilio: number;
  /** VAPI registrations. */
  vapi: number;
}

export class DriftSummaryDto {
  /** Findings per kind (of the whole report, whatever `kind` filters). */
  counts: DriftCountsDto;
  /** @example 3 */
  total: number;
  untracked_cost: UntrackedCostDto;
  inventory: DriftInventoryDto;
}

export class DriftReportDto {
  /** When the providers were read. */
  checked_at: Date;
  /** True when the report is of the sandbox inventory. */
  sandbox: boolean;
  summary: DriftSummaryDto;
  findings: DriftFindingDto[];
}

export class AdoptNumberDto {
  /** The untracked number, E.164. @example "+14125551234" */
  @IsE164PhoneNumber()
  phone_number: string;

  /** The PM it is recorded for. @example 1 */
  @IsInt() @Min(1) @Max(2_147_483_647)
  property_manager_id: number;

  /** @example "Bought by hand in the Twilio Console" */
  @IsOptional() @IsString() @MaxLength(1000)
  notes?: string;
}

export class AdoptedNumberDto extends AddedPurchasedNumberDto {
  /** False when the number was already adopted (nothing was done again). */
  adopted: boolean;
}

export class ReleaseUntrackedDto {
  /** An untracked Twilio number's SID (give this or `vapi_phone_number_id`). @example "PN0123456789abcdef0123456789abcdef" */
  @IsOptional() @IsString() @Matches(/^(PN|SB)[0-9a-fA-F]{32}$/, { message: 'twilio_sid must be a Twilio phone number SID: PN and 32 hex digits' })
  twilio_sid?: string;

  /** An orphaned VAPI registration's id. @example "5b8e1c0e-0000-4000-8000-000000000000" */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'vapi_phone_number_id must be 1 to 64 letters, digits, - or _' })
  vapi_phone_number_id?: string;
}

export class ReleasedUntrackedDto {
  /** @example "PN0123456789abcdef0123456789abcdef" */
  twilio_sid: string | null;
  /** @example null */
  vapi_phone_number_id: string | null;
  /** False when the provider no longer held it (an earlier call released it). */
  released: boolean;
}

export class RepairedNumberDto {
  number: PurchasedNumberDto;
  /**
   * What the repair did: `twilio_urls_reset`, `vapi_registered`, `vapi_id_recorded`,
   * `vapi_server_url_reset`, or for a number Twilio no longer holds `vapi_registration_removed`
   * and `marked_released` (inactive, `released_at` set); empty when nothing needed doing.
   */
  actions: string[];
}
