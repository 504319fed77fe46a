import { forwardingCodes } from './carriers';
import type { ForwardingView } from './call-forwarding.service';
import { ForwardingEventDto, ForwardingStateViewDto } from './dto/call-forwarding.dto';
import type { CallForwardingEventEntity } from './entities/call-forwarding-event.entity';
import type { CallForwardingStateEntity } from './entities/call-forwarding-state.entity';

export const toForwardingStateViewDto = (v: ForwardingView): ForwardingStateViewDto => ({
  user_type: v.person.realtorId !== null ? 'realtor' : 'property_manager',
  user_id: v.person.realtorId ?? v.person.propertyManagerId,
  twilio_number: v.number,
  forwarding_state: {
    carrier: v.state?.carrier ?? null,
    business_forwarding_enabled: v.state?.businessForwardingEnabled ?? false,
    after_hours_enabled: v.state?.afterHoursEnabled ?? false,
    last_after_hours_update: v.state?.lastAfterHoursUpdate ?? null,
    business_forwarding_confirmed_at: v.state?.businessForwardingConfirmedAt ?? null,
    after_hours_last_enabled_at: v.state?.afterHoursLastEnabledAt ?? null,
    after_hours_last_disabled_at: v.state?.afterHoursLastDisabledAt ?? null,
    forwarding_failure_reason: v.state?.forwardingFailureReason ?? null,
    last_forwarding_update: v.state?.lastForwardingUpdate ?? null,
  },
  forwarding_codes: forwardingCodes(v.state?.carrier, v.number),
});

export const toForwardingEventDto = ({ event, state }: { event: CallForwardingEventEntity; state: CallForwardingStateEntity }): ForwardingEventDto => ({
  event_id: Number(event.id),
  target_user_type: state.realtorId !== null ? 'realtor' : 'property_manager',
  target_user_id: state.realtorId ?? state.propertyManagerId,
  property_manager_id: state.propertyManagerId,
  action: event.action,
  initiated_by_user_type: event.initiatedByUserType,
  initiated_by_user_id: event.initiatedByUserId,
  event_metadata: event.metadata,
  created_at: event.createdAt,
});
