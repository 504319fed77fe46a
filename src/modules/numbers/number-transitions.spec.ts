import { NumberState, NumberTransitions } from './number-transitions';
import { NumberReleasedError, NumberStateConflictError } from './numbers.errors';

const at = (iso: string) => new Date(iso);
const number = (patch: Partial<NumberState> = {}): NumberState => ({
  id: 1,
  propertyManagerId: 7,
  status: 'available',
  assignedToType: null,
  assignedRealtorId: null,
  assignedAt: null,
  releasedAt: null,
  ...patch,
});
const assignedToRealtor = () => number({ status: 'assigned', assignedToType: 'realtor', assignedRealtorId: 3, assignedAt: at('2026-01-01T00:00:00Z') });

describe('NumberTransitions', () => {
  it('assigns an available number to the PM or a realtor', () => {
    const n = number();
    NumberTransitions.assign(n, { type: 'realtor', realtorId: 3 }, at('2026-01-02T00:00:00Z'));
    expect(n).toMatchObject({ status: 'assigned', assignedToType: 'realtor', assignedRealtorId: 3, assignedAt: at('2026-01-02T00:00:00Z') });
    const pm = number();
    NumberTransitions.assign(pm, { type: 'property_manager' }, at('2026-01-02T00:00:00Z'));
    expect(pm).toMatchObject({ status: 'assigned', assignedToType: 'property_manager', assignedRealtorId: null });
  });

  it.each(['assigned', 'inactive'] as const)('refuses to assign a number that is %s', (status) => {
    const n = number({ status });
    expect(() => NumberTransitions.assign(n, { type: 'property_manager' }, new Date())).toThrow(NumberStateConflictError);
    expect(n.status).toBe(status);
  });

  it('refuses to assign or reactivate a released number', () => {
    expect(() => NumberTransitions.assign(number({ releasedAt: new Date() }), { type: 'property_manager' }, new Date())).toThrow(NumberReleasedError);
    expect(() => NumberTransitions.reactivate(number({ status: 'inactive', releasedAt: new Date() }))).toThrow(NumberReleasedError);
  });

  it('unassigns into history: the period with its holder and reason', () => {
    const n = assignedToRealtor();
    const ended = NumberTransitions.unassign(n, at('2026-01-05T00:00:00Z'));
    expect(ended).toEqual({
      purchasedPhoneNumberId: 1,
      assignedToType: 'realtor',
      propertyManagerId: 7,
      realtorId: 3,
      assignedAt: at('2026-01-01T00:00:00Z'),
      unassignedAt: at('2026-01-05T00:00:00Z'),
      endReason: 'unassigned',
    });
    expect(n).toMatchObject({ status: 'available', assignedToType: null, assignedRealtorId: null, assignedAt: null });
  });

  it('refuses to unassign a number that is not assigned', () => {
    expect(() => NumberTransitions.unassign(number(), new Date())).toThrow(NumberStateConflictError);
  });

  it('never ends a period before it began (clock skew)', () => {
    const ended = NumberTransitions.endAssignment(assignedToRealtor(), 'reassigned', at('2025-12-31T23:59:59Z'));
    expect(ended!.unassignedAt).toEqual(at('2026-01-01T00:00:00Z'));
  });

  it('deactivates (ending the assignment) and reactivates; twice is a conflict', () => {
    const n = assignedToRealtor();
    expect(NumberTransitions.deactivate(n, new Date())?.endReason).toBe('deactivated');
    expect(n).toMatchObject({ status: 'inactive', assignedToType: null });
    expect(() => NumberTransitions.deactivate(n, new Date())).toThrow(NumberStateConflictError);
    NumberTransitions.reactivate(n);
    expect(n.status).toBe('available');
    expect(() => NumberTransitions.reactivate(n)).toThrow(NumberStateConflictError);
  });

  it('records a release: inactive, released, its assignment ended; a second release is refused', () => {
    const n = assignedToRealtor();
    const now = at('2026-02-01T00:00:00Z');
    expect(NumberTransitions.recordRelease(n, now)?.endReason).toBe('released');
    expect(n).toMatchObject({ status: 'inactive', releasedAt: now, assignedToType: null });
    expect(() => NumberTransitions.assertReleasable(n)).toThrow(NumberReleasedError);
  });

  it('records a number gone at its provider as released and inactive, ending its assignment; a second time changes nothing', () => {
    const n = assignedToRealtor();
    const first = NumberTransitions.markGone(n, at('2026-01-03T00:00:00Z'));
    expect(first.changed).toBe(true);
    expect(first.ended).toMatchObject({ realtorId: 3, endReason: 'released', unassignedAt: at('2026-01-03T00:00:00Z') });
    expect(n).toMatchObject({ status: 'inactive', releasedAt: at('2026-01-03T00:00:00Z'), assignedToType: null, assignedRealtorId: null, assignedAt: null });
    expect(NumberTransitions.markGone(n, new Date())).toEqual({ changed: false });
    expect(n.releasedAt).toEqual(at('2026-01-03T00:00:00Z'));
  });

  it('records an inactive number gone at its provider as released', () => {
    const n = number({ status: 'inactive' });
    expect(NumberTransitions.markGone(n, at('2026-01-03T00:00:00Z'))).toEqual({ changed: true, ended: undefined });
    expect(n).toMatchObject({ status: 'inactive', releasedAt: at('2026-01-03T00:00:00Z') });
  });

  it('frees the number of a realtor who leaves: available, the period ended as removed', () => {
    const n = assignedToRealtor();
    const now = at('2026-03-01T00:00:00Z');
    const ended = NumberTransitions.freeFromHolder(n, 'removed', now);
    expect(ended).toMatchObject({ realtorId: 3, assignedToType: 'realtor', endReason: 'removed', unassignedAt: now });
    expect(n).toMatchObject({ status: 'available', assignedToType: null, assignedRealtorId: null, assignedAt: null });
  });

  it.each(['available', 'inactive'] as const)('freeing a %s number changes nothing', (status) => {
    const n = number({ status });
    expect(NumberTransitions.freeFromHolder(n, 'removed', new Date())).toBeUndefined();
    expect(n.status).toBe(status);
  });

  it('retires the numbers of a PM who leaves: inactive, the assignment ended; an inactive one is left alone', () => {
    const assigned = assignedToRealtor();
    expect(NumberTransitions.retire(assigned, at('2026-03-01T00:00:00Z'))).toMatchObject({ changed: true, ended: { endReason: 'deactivated', realtorId: 3 } });
    expect(assigned).toMatchObject({ status: 'inactive', assignedToType: null });
    const available = number();
    expect(NumberTransitions.retire(available, new Date())).toEqual({ changed: true, ended: undefined });
    expect(available.status).toBe('inactive');
    const released = number({ status: 'inactive', releasedAt: at('2026-01-01T00:00:00Z') });
    expect(NumberTransitions.retire(released, new Date())).toEqual({ changed: false });
    expect(released).toMatchObject({ status: 'inactive', releasedAt: at('2026-01-01T00:00:00Z') });
  });
});
