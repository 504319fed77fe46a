import type { CallForwardingStateEntity } from './entities/call-forwarding-state.entity';

export type ConfirmationStatus = 'success' | 'failure' | 'pending';
export const DEFAULT_FAILURE_REASON = 'Carrier did not confirm forwarding.';

export interface ForwardingChange {
  carrier?: string;
  businessForwardingEnabled?: boolean;
  afterHoursEnabled?: boolean;
  confirmationStatus?: ConfirmationStatus;
  failureReason?: string;
  notes?: string;
}

type State = Pick<
  CallForwardingStateEntity,
  | 'carrier'
  | 'businessForwardingEnabled'
  | 'afterHoursEnabled'
  | 'lastAfterHoursUpdate'
  | 'businessForwardingConfirmedAt'
  | 'afterHoursLastEnabledAt'
  | 'afterHoursLastDisabledAt'
  | 'forwardingFailureReason'
  | 'lastForwardingUpdate'
>;

/**
 * ORIGIN.md's rules, applied in place: turning business forwarding off clears its confirmation;
 * turning after-hours on or off stamps `last_after_hours_update` (and the disabled time when
 * off); `success` clears the failure and stamps the confirmation times of what is enabled;
 * `failure` stores the reason. Returns the event's action.
 */
export function applyForwardingChange(state: State, change: ForwardingChange, now: Date): string {
  if (change.carrier !== undefined) state.carrier = change.carrier;
  if (change.businessForwardingEnabled !== undefined) {
    state.businessForwardingEnabled = change.businessForwardingEnabled;
    if (!change.businessForwardingEnabled) state.businessForwardingConfirmedAt = null;
  }
  if (change.afterHoursEnabled !== undefined) {
    state.afterHoursEnabled = change.afterHoursEnabled;
    state.lastAfterHoursUpdate = now;
    if (!change.afterHoursEnabled) state.afterHoursLastDisabledAt = now;
  }
  if (change.confirmationStatus === 'success') {
    state.forwardingFailureReason = null;
    if (state.businessForwardingEnabled) state.businessForwardingConfirmedAt = now;
    if (state.afterHoursEnabled) state.afterHoursLastEnabledAt = now;
  } else if (change.confirmationStatus === 'failure') {
    state.forwardingFailureReason = change.failureReason ?? DEFAULT_FAILURE_REASON;
  }
  state.lastForwardingUpdate = now;
  if (change.confirmationStatus === 'success') return 'forwarding_confirmed';
  if (change.confirmationStatus === 'failure') return 'forwarding_failed';
  return 'forwarding_updated';
}
