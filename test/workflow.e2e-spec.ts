import { signJwt } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

/** The guide's whole workflow, as the dashboard and the tech team drive it. */
describe('the guide workflow', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('goes from a PM request to a realtor holding the number', async () => {
    const admin = { apiKey: t.adminKey };
    const created = await t.http.post('/admin/property-managers', {
      name: 'John Smith',
      email: 'john@example.com',
      auth_user_id: 'auth-john',
      company_name: 'Smith PM',
    }, admin);
    expect(created.status).toBe(201);
    const pmId = created.body.property_manager_id;
    const pmJwt = signJwt({ sub: 'auth-john' });

    // 1. The PM asks for a number.
    const requested = await t.http.post('/request-phone-number', { area_code: '412', notes: 'Need number for new realtor' }, { jwt: pmJwt });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ property_manager_id: pmId, country_code: '+1', area_code: '412', status: 'pending', fulfilled_at: null });

    // Step 1 of the guide: the tech team sees it.
    const pending = await t.http.get('/admin/all-phone-number-requests?status=pending', admin);
    expect(pending.status).toBe(200);
    expect(pending.body.requests.map((r: { request_id: number }) => r.request_id)).toContain(requested.body.request_id);

    // Step 2, option A: the number bought elsewhere is recorded.
    const added = await t.http.post('/admin/add-purchased-number', {
      property_manager_id: pmId,
      phone_number: '+14125551234',
      twilio_sid: 'PN1234567890abcdef',
      vapi_phone_number_id: 'vapi_123',
      notes: 'Purchased from Twilio',
    }, admin);
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      message: 'Phone number +14125551234 added successfully and is now available for assignment',
      purchased_phone_number_id: expect.any(Number),
      phone_number: '+14125551234',
      twilio_sid: 'PN1234567890abcdef',
      vapi_phone_number_id: 'vapi_123',
      status: 'available',
      property_manager_id: pmId,
      pm_name: 'John Smith',
      pm_email: 'john@example.com',
      fulfilled_request_ids: [requested.body.request_id],
    });
    const numberId = added.body.purchased_phone_number_id;

    // The request is fulfilled.
    const mine = await t.http.get('/my-phone-number-requests', { jwt: pmJwt });
    expect(mine.body.requests[0]).toMatchObject({ status: 'fulfilled', fulfilled_at: expect.any(String) });

    // Step 3: it shows as available.
    const listed = await t.http.get(`/admin/all-purchased-numbers?property_manager_id=${pmId}&status=available`, admin);
    expect(listed.body.purchased_numbers).toEqual([
      {
        purchased_phone_number_id: numberId,
        property_manager_id: pmId,
        phone_number: '+14125551234',
        twilio_sid: 'PN1234567890abcdef',
        vapi_phone_number_id: 'vapi_123',
        status: 'available',
        assigned_to_type: null,
        assigned_to_id: null,
        purchased_at: expect.any(String),
        assigned_at: null,
        notes: 'Purchased from Twilio',
        released_at: null,
      },
    ]);

    // The PM adds a realtor and gives them the number.
    const realtor = await t.http.post('/property-manager/realtors', { name: 'Jane Doe', email: 'jane@example.com', auth_user_id: 'auth-jane' }, { jwt: pmJwt });
    expect(realtor.status).toBe(201);
    const dashboard = await t.http.get('/purchased-phone-numbers', { jwt: pmJwt });
    expect(dashboard.body.available_for_assignment.map((n: { purchased_phone_number_id: number }) => n.purchased_phone_number_id)).toEqual([numberId]);
    expect(dashboard.body.realtors.map((r: { realtor_id: number }) => r.realtor_id)).toEqual([realtor.body.realtor_id]);

    const assigned = await t.http.post('/assign-phone-number', {
      purchased_phone_number_id: numberId,
      assign_to_type: 'realtor',
      assign_to_id: realtor.body.realtor_id,
    }, { jwt: pmJwt });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'assigned', assigned_to_type: 'realtor', assigned_to_id: realtor.body.realtor_id });

    // The realtor sees their number.
    const realtorJwt = signJwt({ sub: 'auth-jane' });
    const myNumber = await t.http.get('/my-number', { jwt: realtorJwt });
    expect(myNumber.status).toBe(200);
    expect(myNumber.body).toMatchObject({ phone_number: '+14125551234', assigned_to_type: 'realtor', property_manager_id: pmId });
  });
});
