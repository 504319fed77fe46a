import { clean, cleanAreaCode, cleanCountryCode, cleanRequestStatus, findBlockingDuplicates, isNoContact, normaliseAssigneeType, stableLocalSid } from './cleaning-rules';
import type { SourceData, SourceNumber, SourcePerson } from './legacy-source';

const person = (table: SourcePerson['table'], id: number, over: Partial<SourcePerson> = {}): SourcePerson => ({
  table,
  id,
  propertyManagerId: table === 'propertymanager' ? id : 1,
  authUserId: null,
  name: `P${id}`,
  email: `p${table}${id}@example.com`,
  companyName: null,
  twilioContact: 'TBD',
  twilioSid: null,
  purchasedPhoneNumberId: null,
  carrier: null,
  businessForwardingEnabled: false,
  afterHoursEnabled: false,
  vapiAssistantId: null,
  createdAt: '2024-01-01T00:00:00.000Z',
  ...over,
});
const number = (id: number, over: Partial<SourceNumber> = {}): SourceNumber => ({
  id,
  propertyManagerId: 1,
  phoneNumber: `+1412555${String(id).padStart(4, '0')}`,
  twilioSid: `PN${id}`,
  vapiPhoneNumberId: null,
  status: 'available',
  assignedToType: null,
  assignedToId: null,
  purchasedAt: '2024-01-01T00:00:00.000Z',
  assignedAt: null,
  notes: null,
  ...over,
});
const data = (over: Partial<SourceData> = {}): SourceData => ({ propertyManagers: [person('propertymanager', 1)], realtors: [], numbers: [], requests: [], callForwardingEvents: null, ...over });
const run = (d: SourceData) => clean(d, { defaultRegion: 'US', now: '2025-01-01T00:00:00.000Z' });

describe('legacy cleaning rules', () => {
  it('reads every spelling of the assignee type', () => {
    expect(['Property Manager', 'property_manager', 'PROPERTY-MANAGER', 'propertymanager'].map(normaliseAssigneeType)).toEqual(Array(4).fill('property_manager'));
    expect(['Realtor', 'REALTOR', ' realtor '].map(normaliseAssigneeType)).toEqual(Array(3).fill('realtor'));
    expect(normaliseAssigneeType(null)).toBeNull();
    expect(normaliseAssigneeType('tenant')).toBeUndefined();
  });

  it('cleans area codes, country codes and request statuses', () => {
    expect(cleanAreaCode('412 ')).toEqual({ value: '412', changed: true });
    expect(cleanAreaCode('412')).toEqual({ value: '412', changed: false });
    expect(cleanAreaCode('n/a')).toEqual({ value: null, changed: true });
    expect(cleanCountryCode('1')).toEqual({ value: '+1', changed: true });
    expect(cleanCountryCode('+44')).toEqual({ value: '+44', changed: false });
    expect(cleanCountryCode(null)).toEqual({ value: '+1', changed: true });
    expect(cleanRequestStatus('approved')).toEqual({ value: 'pending', changed: true });
    expect(cleanRequestStatus('fulfilled')).toEqual({ value: 'fulfilled', changed: false });
    expect(isNoContact('TBD')).toBe(true);
    expect(isNoContact('')).toBe(true);
    expect(isNoContact('+14125550100')).toBe(false);
    expect(stableLocalSid('realtor', 1, '+1')).toBe(stableLocalSid('realtor', 1, '+1'));
  });

  it('stores E.164, skips what cannot be parsed (saying who held it) and keeps a VAPI id on the first number only', () => {
    const plan = run(
      data({
        realtors: [person('realtor', 5)],
        numbers: [
          number(1, { phoneNumber: '(412) 555-0001', vapiPhoneNumberId: 'v' }),
          number(2, { vapiPhoneNumberId: 'v' }),
          number(3, { phoneNumber: 'garbage', status: 'assigned', assignedToType: 'realtor', assignedToId: 5, assignedAt: '2024-01-02T00:00:00.000Z' }),
        ],
      }),
    );
    expect(plan.numbers.map((n) => [n.id, n.row.phone_number, n.row.vapi_phone_number_id])).toEqual([
      [1, '+14125550001', 'v'],
      [2, '+14125550002', null],
    ]);
    expect(plan.skipped.purchasedphonenumber).toBe(1);
    expect(plan.problems).toContainEqual(expect.objectContaining({ source_id: 3, action: expect.stringMatching(/held by realtor 5/) }));
  });

  it('decides holders from the number rows: nobody, a missing realtor or another PM\'s realtor mean available; the most recent of several wins', () => {
    const plan = run(
      data({
        propertyManagers: [person('propertymanager', 1), person('propertymanager', 2)],
        realtors: [person('realtor', 5, { propertyManagerId: 1 }), person('realtor', 6, { propertyManagerId: 2 })],
        numbers: [
          number(1, { status: 'assigned' }),
          number(2, { status: 'assigned', assignedToType: 'Realtor', assignedToId: 99, assignedAt: '2024-01-01T00:00:00.000Z' }),
          number(3, { status: 'assigned', assignedToType: 'realtor', assignedToId: 6, assignedAt: '2024-01-01T00:00:00.000Z' }),
          number(4, { status: 'assigned', assignedToType: 'realtor', assignedToId: 5, assignedAt: '2024-01-01T00:00:00.000Z' }),
          number(5, { status: 'assigned', assignedToType: 'realtor', assignedToId: 5, assignedAt: '2024-03-01T00:00:00.000Z' }),
        ],
      }),
    );
    const status = Object.fromEntries(plan.numbers.map((n) => [n.id, n.row.status]));
    expect(status).toEqual({ 1: 'available', 2: 'available', 3: 'available', 4: 'available', 5: 'assigned' });
  });

  it('recovers a number that exists only as a person\'s twilio_contact, with their SID or a stable generated one', () => {
    const plan = run(
      data({
        propertyManagers: [person('propertymanager', 1, { twilioContact: '412-555-0199', twilioSid: 'PNabc' })],
        realtors: [person('realtor', 5, { twilioContact: '4125550198' })],
      }),
    );
    expect(plan.recovered).toBe(2);
    expect(plan.numbers.map((n) => [n.row.phone_number, n.row.twilio_sid.startsWith('local-') ? 'generated' : n.row.twilio_sid, n.row.assigned_to_type])).toEqual([
      ['+14125550199', 'PNabc', 'property_manager'],
      ['+14125550198', 'generated', 'realtor'],
    ]);
    expect(run(data({ realtors: [person('realtor', 5, { twilioContact: '4125550198' })] })).numbers[0].row.twilio_sid).toBe(plan.numbers[1].row.twilio_sid);
  });

  it('finds every blocking duplicate: PM emails in any case, realtor emails within a PM, auth_user_ids across both', () => {
    const blocking = findBlockingDuplicates(
      data({
        propertyManagers: [person('propertymanager', 1, { email: 'A@x.com', authUserId: 'u1' }), person('propertymanager', 2, { email: 'a@X.com' })],
        realtors: [
          person('realtor', 5, { email: 'r@x.com', propertyManagerId: 1 }),
          person('realtor', 6, { email: 'R@x.com', propertyManagerId: 1 }),
          person('realtor', 7, { email: 'r@x.com', propertyManagerId: 2, authUserId: 'u1' }),
        ],
      }),
    );
    expect([...new Set(blocking.map((b) => `${b.table}:${b.source_id}`))].sort()).toEqual(['propertymanager:1', 'propertymanager:2', 'realtor:5', 'realtor:6', 'realtor:7']);
  });
});
