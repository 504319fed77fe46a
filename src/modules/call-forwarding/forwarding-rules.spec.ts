import { applyForwardingChange, DEFAULT_FAILURE_REASON } from './forwarding-rules';

const at = (iso: string) => new Date(iso);
const fresh = () => ({
  carrier: null as string | null,
  businessForwardingEnabled: false,
  afterHoursEnabled: false,
  lastAfterHoursUpdate: null as Date | null,
  businessForwardingConfirmedAt: null as Date | null,
  afterHoursLastEnabledAt: null as Date | null,
  afterHoursLastDisabledAt: null as Date | null,
  forwardingFailureReason: null as string | null,
  lastForwardingUpdate: null as Date | null,
});

describe('call-forwarding rules', () => {
  it('success stamps the confirmation of what is enabled and clears the failure', () => {
    const s = { ...fresh(), forwardingFailureReason: 'old' };
    const now = at('2026-01-01T10:00:00Z');
    expect(applyForwardingChange(s, { businessForwardingEnabled: true, confirmationStatus: 'success' }, now)).toBe('forwarding_confirmed');
    expect(s).toMatchObject({ businessForwardingEnabled: true, businessForwardingConfirmedAt: now, afterHoursLastEnabledAt: null, forwardingFailureReason: null, lastForwardingUpdate: now });
  });

  it('turning business forwarding off clears its confirmation', () => {
    const s = { ...fresh(), businessForwardingEnabled: true, businessForwardingConfirmedAt: at('2026-01-01T00:00:00Z') };
    expect(applyForwardingChange(s, { businessForwardingEnabled: false }, new Date())).toBe('forwarding_updated');
    expect(s.businessForwardingConfirmedAt).toBeNull();
  });

  it('after-hours on stamps the update time; off stamps it and the disabled time', () => {
    const s = fresh();
    const on = at('2026-01-01T18:00:00Z');
    applyForwardingChange(s, { afterHoursEnabled: true }, on);
    expect(s).toMatchObject({ afterHoursEnabled: true, lastAfterHoursUpdate: on, afterHoursLastDisabledAt: null });
    const off = at('2026-01-02T08:00:00Z');
    applyForwardingChange(s, { afterHoursEnabled: false }, off);
    expect(s).toMatchObject({ afterHoursEnabled: false, lastAfterHoursUpdate: off, afterHoursLastDisabledAt: off });
  });

  it('failure stores the reason, or the default one', () => {
    const s = fresh();
    expect(applyForwardingChange(s, { confirmationStatus: 'failure' }, new Date())).toBe('forwarding_failed');
    expect(s.forwardingFailureReason).toBe(DEFAULT_FAILURE_REASON);
    applyForwardingChange(s, { confirmationStatus: 'failure', failureReason: 'Busy signal' }, new Date());
    expect(s.forwardingFailureReason).toBe('Busy signal');
  });
});
