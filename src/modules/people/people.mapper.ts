import { toPropertyManagerDto } from '../directory/directory.mapper';
import { OffboardingDto, PropertyManagerDetailDto, RemovedRealtorDto } from './dto/people.dto';
import type { Offboarding, PropertyManagerDetail, RealtorRemoval } from './people.service';

export const toPropertyManagerDetailDto = (d: PropertyManagerDetail): PropertyManagerDetailDto => ({
  ...toPropertyManagerDto(d.pm),
  counts: { realtors: d.realtors, numbers: d.numbers, pending_requests: d.pendingRequests },
});

export const toRemovedRealtorDto = (r: RealtorRemoval): RemovedRealtorDto => ({
  realtor_id: r.realtor.id,
  removed_at: r.realtor.removedAt!,
  freed_purchased_phone_number_id: r.freedNumberId,
});

export const toOffboardingDto = (o: Offboarding): OffboardingDto => ({
  property_manager: toPropertyManagerDto(o.pm),
  cancelled_request_ids: o.cancelledRequestIds,
  removed_realtor_ids: o.removedRealtorIds,
  deactivated_number_ids: o.deactivatedNumberIds,
  released_number_ids: o.releasedNumberIds,
  release_failures: o.releaseFailures.map((f) => ({ purchased_phone_number_id: f.numberId, phone_number: f.phoneNumber, code: f.code, detail: f.detail })),
  complete: o.complete,
});
