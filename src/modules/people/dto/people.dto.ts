import { IsBoolean, IsOptional } from 'class-validator';
import { PropertyManagerDto } from '../../directory/dto/property-manager.dto';

export class NumberCountsDto {
  available: number;
  assigned: number;
  inactive: number;
}

export class PropertyManagerCountsDto {
  /** Current realtors (removed ones are not counted). */
  realtors: number;
  numbers: NumberCountsDto;
  pending_requests: number;
}

export class PropertyManagerDetailDto extends PropertyManagerDto {
  counts: PropertyManagerCountsDto;
}

export class RemovedRealtorDto {
  realtor_id: number;
  removed_at: Date;
  /** The number they held, now available again; null when they held none. */
  freed_purchased_phone_number_id: number | null;
}

export class OffboardPropertyManagerDto {
  /**
   * true: give every number back at Twilio and VAPI (as `/admin/purchased-numbers/{id}/release`);
   * false (default): keep them, inactive.
   */
  @IsOptional() @IsBoolean()
  release_numbers?: boolean;
}

export class ReleaseFailureDto {
  purchased_phone_number_id: number;
  phone_number: string;
  /** The problem code the release answered with, e.g. `release_failed`. */
  code: string;
  detail: string;
}

export class OffboardingDto {
  property_manager: PropertyManagerDto;
  /** Requests cancelled by this call (empty when run again). */
  cancelled_request_ids: number[];
  /** Realtors removed by this call. */
  removed_realtor_ids: number[];
  /** Numbers this call took out of service (`inactive`). */
  deactivated_number_ids: number[];
  /** Numbers this call gave back at Twilio and VAPI (release_numbers: true). */
  released_number_ids: number[];
  /** Numbers whose release failed: still listed, inactive; run the offboarding again to retry them. */
  release_failures: ReleaseFailureDto[];
  /** True when nothing is left to do (with release_numbers: every number released). */
  complete: boolean;
}
