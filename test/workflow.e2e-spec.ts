import { createPhoneNumberClient, PhoneNumberClient } from '../client';
import { signJwt } from './support/factories';
import { validatingFetch } from './support/openapi-conformance';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The guide's whole workflow, as the dashboard and the tech team drive it, through the typed
 * client generated from the OpenAPI document (client/), every response checked against it.
 */
describe('the guide workflow', () => {
  let t: TestApp;
  const client = (headers: Record<string, string>): PhoneNumberClient =>
    createPhoneNumberClient({ baseUrl: t.http.baseUrl, headers, fetch: validatingFetch });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('goes from a PM request to a realtor holding the number', async () => {
    const admin = client({ 'X-API-Key': t.adminKey });
    const created = await admin.POST('/admin/property-managers', {
      body: { name: 'John Smith', email: 'john@example.com', auth_user_id: 'auth-john', company_name: 'Smith PM' },
    });
    expect(created.response.status).toBe(201);
    const pmId = created.data!.property_manager_id;
    const pm = client({ Authorization: `Bearer ${signJwt({ sub: 'auth-john' })}` });

    // 1. The PM asks for a number.
    const requested = await pm.POST('/request-phone-number', { body: { area_code: '412', notes: 'Need number for new realtor' } });
    expect(requested.response.status).toBe(201);
    expect(requested.data).toMatchObject({ property_manager_id: pmId, country_code: '+1', area_code: '412', status: 'pending', fulfilled_at: null });
    const requestId = requested.data!.request_id;

    // Step 1 of the guide: the tech team sees it.
    const pending = await admin.GET('/admin/all-phone-number-requests', { params: { query: { status: 'pending' } } });
    expect(pending.response.status).toBe(200);
    expect(pending.data!.requests.map((r) => r.request_id)).toContain(requestId);

    // Step 2, option A: the number bought elsewhere is recorded.
    const added = await admin.POST('/admin/add-purchased-number', {
      body: {
        property_manager_id: pmId,
        phone_number: '+14125551234',
        twilio_sid: 'PN1234567890abcdef',
        vapi_phone_number_id: 'vapi_123',
        notes: 'Purchased from Twilio',
      },
    });
    expect(added.response.status).toBe(201);
    expect(added.data).toEqual({
      message: 'Phone number +14125551234 added successfully and is now available for assignment',
      purchased_phone_number_id: expect.any(Number),
      phone_number: '+14125551234',
      twilio_sid: 'PN1234567890abcdef',
      vapi_phone_number_id: 'vapi_123',
      status: 'available',
      property_manager_id: pmId,
      pm_name: 'John Smith',
      pm_email: 'john@example.com',
      fulfilled_request_ids: [requestId],
    });
    const numberId = added.data!.purchased_phone_number_id;

    // Recording it twice is a documented conflict, with the problem as the typed error.
    const again = await admin.POST('/admin/add-purchased-number', { body: { property_manager_id: pmId, phone_number: '+14125551234' } });
    expect(again.response.status).toBe(409);
    expect(again.error).toMatchObject({ status: 409, code: expect.any(String) });

    // The request is fulfilled.
    const mine = await pm.GET('/my-phone-number-requests');
    expect(mine.data!.requests[0]).toMatchObject({ status: 'fulfilled', fulfilled_at: expect.any(String) });

    // Step 3: it shows as available (no `limit` needed: it is optional).
    const listed = await admin.GET('/admin/all-purchased-numbers', { params: { query: { property_manager_id: pmId, status: 'available' } } });
    expect(listed.data!.purchased_numbers).toEqual([
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
    const realtor = await pm.POST('/property-manager/realtors', { body: { name: 'Jane Doe', email: 'jane@example.com', auth_user_id: 'auth-jane' } });
    expect(realtor.response.status).toBe(201);
    const realtorId = realtor.data!.realtor_id;
    const dashboard = await pm.GET('/purchased-phone-numbers');
    expect(dashboard.data!.available_for_assignment.map((n) => n.purchased_phone_number_id)).toEqual([numberId]);
    expect(dashboard.data!.realtors.map((r) => r.realtor_id)).toEqual([realtorId]);

    const assigned = await pm.POST('/assign-phone-number', {
      body: { purchased_phone_number_id: numberId, assign_to_type: 'realtor', assign_to_id: realtorId },
    });
    expect(assigned.response.status).toBe(200);
    expect(assigned.data).toMatchObject({ status: 'assigned', assigned_to_type: 'realtor', assigned_to_id: realtorId });

    // The realtor sees their number.
    const realtorClient = client({ Authorization: `Bearer ${signJwt({ sub: 'auth-jane' })}` });
    const myNumber = await realtorClient.GET('/my-number');
    expect(myNumber.response.status).toBe(200);
    expect(myNumber.data).toMatchObject({ phone_number: '+14125551234', assigned_to_type: 'realtor', property_manager_id: pmId });
  });
});
