import { createHash } from 'node:crypto';
import { normalizePhoneNumber } from '../../common/phone/phone-number';
import type { SourceData, SourceNumber, SourcePerson, SourceRequest, SourceTable } from './legacy-source';

/**
 * The cleaning rules of the legacy import, as pure functions: source rows in, the rows this
 * service stores plus one problem per decision out. Nothing here touches a database.
 */

export interface Problem {
  table: SourceTable;
  source_id: number;
  problem: string;
  action: string;
}

export interface TargetPropertyManager {
  id: number;
  name: string;
  email: string;
  auth_user_id: string | null;
  company_name: string | null;
  created_at: string | null;
}

export interface TargetRealtor {
  id: number;
  property_manager_id: number;
  name: string;
  email: string;
  auth_user_id: string | null;
  created_at: string | null;
}

export interface TargetNumber {
  property_manager_id: number;
  phone_number: string;
  twilio_sid: string;
  vapi_phone_number_id: string | null;
  status: 'available' | 'assigned' | 'inactive';
  assigned_to_type: 'property_manager' | 'realtor' | null;
  assigned_realtor_id: number | null;
  assigned_at: string | null;
  notes: string | null;
  purchased_at: string | null;
}

export interface TargetRequest {
  id: number;
  property_manager_id: number;
  country_code: string;
  area_code: string | null;
  status: 'pending' | 'fulfilled' | 'cancelled';
  notes: string | null;
  requested_at: string;
  fulfilled_at: string | null;
  cancelled_at: string | null;
}

/** Where an imported row came from: its source table and id (a recovered number: the person's). */
export interface SourceKey {
  sourceTable: string;
  sourceId: string;
}

export interface PlannedNumber extends SourceKey {
  /** The source id, kept; undefined for a number recovered from a person's `twilio_contact`. */
  id?: number;
  row: TargetNumber;
  /** The source row that owns the problems of this number. */
  problemTable: SourceTable;
  problemId: number;
}

export interface CleanPlan {
  propertyManagers: TargetPropertyManager[];
  realtors: TargetRealtor[];
  numbers: PlannedNumber[];
  requests: TargetRequest[];
  /** Every decision, one entry per changed source row and change. */
  problems: Problem[];
  /** Duplicates this service cannot hold: the import must refuse. */
  blocking: Problem[];
  skipped: Record<SourceTable, number>;
  recovered: number;
}

export interface CleanOptions {
  defaultRegion: string;
  /** Import time, for the few timestamps the source lacks. */
  now: string;
}

const DEFAULT_TIMESTAMP_NOTE = 'missing';

/** A stable hash of a target row: the importer compares these between runs. */
export function rowHash(row: object): string {
  return createHash('sha1').update(JSON.stringify(row)).digest('hex');
}

/** `Property Manager`, `PROPERTY_MANAGER`, `property-manager`, `pm` → `property_manager`; `Realtor` → `realtor`. */
export function normaliseAssigneeType(value: string | null): 'property_manager' | 'realtor' | null | undefined {
  if (value === null) return null;
  const key = value.trim().toLowerCase().replace(/[\s_-]+/g, '');
  if (key === '') return null;
  if (key === 'propertymanager' || key === 'pm') return 'property_manager';
  if (key === 'realtor') return 'realtor';
  return undefined; // not a type we know
}

/** `"412 "` → `412`; `"(412)"` → `412`; `"n/a"` → dropped. Keeps 2 to 5 digits, like a new request. */
export function cleanAreaCode(value: string | null): { value: string | null; changed: boolean } {
  if (value === null) return { value: null, changed: false };
  const digits = value.replace(/\D/g, '');
  const cleaned = /^[0-9]{2,5}$/.test(digits) ? digits : null;
  return { value: cleaned, changed: cleaned !== value };
}

/** `"+1"` stays; `"1"`, `" +44"` → `+1`, `+44`; missing or unreadable → `+1` (the default). */
export function cleanCountryCode(value: string | null): { value: string; changed: boolean } {
  if (value === null) return { value: '+1', changed: true };
  const digits = value.replace(/\D/g, '');
  const cleaned = /^[1-9][0-9]{0,2}$/.test(digits) ? `+${digits}` : '+1';
  return { value: cleaned, changed: cleaned !== value };
}

/** `approved` (a step the old admin flow had) is still waiting for a number here: `pending`. */
export function cleanRequestStatus(value: string | null): { value: TargetRequest['status']; changed: boolean } {
  const key = (value ?? '').trim().toLowerCase();
  if (key === 'pending' || key === 'fulfilled' || key === 'cancelled') return { value: key, changed: key !== value };
  if (key === 'canceled') return { value: 'cancelled', changed: true };
  return { value: 'pending', changed: true }; // approved, and anything unknown
}

/** A `twilio_contact` that names no number: empty or `TBD`. */
export function isNoContact(value: string | null): boolean {
  const key = (value ?? '').trim().toUpperCase();
  return key === '' || key === 'TBD' || key === 'NONE' || key === 'N/A';
}

/** A SID for a number that has none, stable across runs (so a re-run sees no change). */
export function stableLocalSid(table: string, id: number, phone: string): string {
  return `local-${createHash('sha1').update(`${table}:${id}:${phone}`).digest('hex').slice(0, 32)}`;
}

const personLabel = (p: { table: string; id: number }) => (p.table === 'propertymanager' ? `property manager ${p.id}` : `realtor ${p.id}`);
const holderKey = (type: 'property_manager' | 'realtor', id: number) => `${type}:${id}`;

/** Emails (case-insensitive: across PMs for PMs, within a PM for realtors) and auth_user_ids that would collide here. */
export function findBlockingDuplicates(data: SourceData): Problem[] {
  const blocking: Problem[] = [];
  const check = (people: SourcePerson[], key: (p: SourcePerson) => string | null, describe: (p: SourcePerson) => string) => {
    const groups = new Map<string, SourcePerson[]>();
    for (const p of people) {
      const k = key(p);
      if (k !== null) groups.set(k, [...(groups.get(k) ?? []), p]);
    }
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const names = group.map(personLabel).join(', ');
      for (const p of group) {
        blocking.push({
          table: p.table,
          source_id: p.id,
          problem: `duplicate ${describe(p)} (shared by ${names})`,
          action: 'refused: make them unique in the source, then run the import again',
        });
      }
    }
  };
  const email = (p: SourcePerson) => (p.email ?? '').trim().toLowerCase() || null;
  check(data.propertyManagers, email, (p) => `property manager email ${JSON.stringify(p.email)}`);
  check(
    data.realtors,
    (p) => (email(p) === null ? null : `${p.propertyManagerId} ${email(p)}`),
    (p) => `realtor email ${JSON.stringify(p.email)} within property manager ${p.propertyManagerId}`,
  );
  // A dashboard login must name one person, PM or realtor.
  check([...data.propertyManagers, ...data.realtors], (p) => p.authUserId?.trim() || null, (p) => `auth_user_id ${JSON.stringify(p.authUserId)}`);
  return blocking.sort((a, b) => a.table.localeCompare(b.table) || a.source_id - b.source_id);
}

function personProblems(p: SourcePerson, problems: Problem[]): { name: string; email: string } {
  const email = (p.email ?? '').trim();
  if (email !== p.email) problems.push({ table: p.table, source_id: p.id, problem: `email ${JSON.stringify(p.email)} had surrounding spaces`, action: `stored as ${JSON.stringify(email)}` });
  let name = (p.name ?? '').trim();
  if (name === '') {
    name = email || `${personLabel(p)}`;
    problems.push({ table: p.table, source_id: p.id, problem: 'name is empty', action: `stored as ${JSON.stringify(name)}` });
  } else if (name !== p.name) {
    problems.push({ table: p.table, source_id: p.id, problem: `name ${JSON.stringify(p.name)} had surrounding spaces`, action: `stored as ${JSON.stringify(name)}` });
  }
  const forwarding = [
    p.carrier ? `carrier ${JSON.stringify(p.carrier)}` : null,
    p.businessForwardingEnabled ? 'business forwarding on' : null,
    p.afterHoursEnabled ? 'after-hours forwarding on' : null,
    p.vapiAssistantId ? `vapi_assistant_id ${JSON.stringify(p.vapiAssistantId)}` : null,
  ].filter((x): x is string => x !== null);
  if (forwarding.length) {
    problems.push({
      table: p.table,
      source_id: p.id,
      problem: `has ${forwarding.join(', ')}`,
      action: 'not imported: this service does not store call forwarding or assistant ids yet (kept in the source)',
    });
  }
  return { name, email };
}

/** Applies every rule of ORIGIN.md's "where its data disagrees with itself". */
export function clean(data: SourceData, options: CleanOptions): CleanPlan {
  const problems: Problem[] = [];
  const skipped: Record<SourceTable, number> = { propertymanager: 0, realtor: 0, purchasedphonenumber: 0, phonenumberrequest: 0, callforwardingevent: data.callForwardingEvents ?? 0 };
  const region = options.defaultRegion;

  // People.
  const propertyManagers = data.propertyManagers.map((p): TargetPropertyManager => {
    const { name, email } = personProblems(p, problems);
    return { id: p.id, name, email, auth_user_id: p.authUserId?.trim() || null, company_name: p.companyName, created_at: p.createdAt };
  });
  const pmIds = new Set(data.propertyManagers.map((p) => p.id));
  const realtorPm = new Map<number, number>();
  const realtors: TargetRealtor[] = [];
  for (const r of data.realtors) {
    if (!pmIds.has(r.propertyManagerId)) {
      skipped.realtor++;
      problems.push({ table: 'realtor', source_id: r.id, problem: `property manager ${r.propertyManagerId} does not exist`, action: 'skipped' });
      continue;
    }
    const { name, email } = personProblems(r, problems);
    realtorPm.set(r.id, r.propertyManagerId);
    realtors.push({ id: r.id, property_manager_id: r.propertyManagerId, name, email, auth_user_id: r.authUserId?.trim() || null, created_at: r.createdAt });
  }

  // Numbers: parse, de-duplicate, then decide who holds each.
  const numbers: PlannedNumber[] = [];
  const byPhone = new Map<string, PlannedNumber>();
  const usedSids = new Set<string>();
  const usedVapi = new Map<string, number>();
  const heldBySource = (n: SourceNumber) => {
    const type = normaliseAssigneeType(n.assignedToType);
    const holders: string[] = [];
    if (type && n.assignedToId !== null) holders.push(type === 'realtor' ? `realtor ${n.assignedToId}` : `property manager ${n.assignedToId}`);
    for (const p of [...data.propertyManagers, ...data.realtors]) if (p.purchasedPhoneNumberId === n.id) holders.push(personLabel(p));
    return [...new Set(holders)];
  };
  const sorted = [...data.numbers].sort((a, b) => a.id - b.id);
  for (const n of sorted) {
    const say = (problem: string, action: string) => problems.push({ table: 'purchasedphonenumber', source_id: n.id, problem, action });
    if (!pmIds.has(n.propertyManagerId)) {
      skipped.purchasedphonenumber++;
      say(`property manager ${n.propertyManagerId} does not exist`, 'skipped');
      continue;
    }
    const phone = normalizePhoneNumber(n.phoneNumber, region);
    if (!phone) {
      skipped.purchasedphonenumber++;
      const holders = heldBySource(n);
      say(
        `phone number ${JSON.stringify(n.phoneNumber)} cannot be parsed`,
        holders.length ? `skipped; it was held by ${holders.join(', ')}, who is imported without it` : 'skipped',
      );
      continue;
    }
    if (byPhone.has(phone)) {
      skipped.purchasedphonenumber++;
      say(`phone number ${JSON.stringify(n.phoneNumber)} is ${phone}, already number ${byPhone.get(phone)!.id}`, 'skipped (the first is kept)');
      continue;
    }
    if (phone !== n.phoneNumber) say(`phone number ${JSON.stringify(n.phoneNumber)} is not E.164`, `stored as ${phone}`);
    let sid = n.twilioSid?.trim() ?? '';
    if (sid === '' || usedSids.has(sid)) {
      const generated = stableLocalSid('purchasedphonenumber', n.id, phone);
      say(sid === '' ? 'twilio_sid is empty' : `twilio_sid ${sid} is used by another number`, `stored as ${generated}`);
      sid = generated;
    }
    usedSids.add(sid);
    let vapi = n.vapiPhoneNumberId?.trim() || null;
    if (vapi !== null && usedVapi.has(vapi)) {
      say(`vapi_phone_number_id ${vapi} is also on number ${usedVapi.get(vapi)}`, 'dropped on this number (kept on the first)');
      vapi = null;
    } else if (vapi !== null) usedVapi.set(vapi, n.id);

    const rawStatus = (n.status ?? '').trim().toLowerCase();
    const row: TargetNumber = {
      property_manager_id: n.propertyManagerId,
      phone_number: phone,
      twilio_sid: sid,
      vapi_phone_number_id: vapi,
      status: 'available',
      assigned_to_type: null,
      assigned_realtor_id: null,
      assigned_at: null,
      notes: n.notes,
      purchased_at: n.purchasedAt,
    };
    if (rawStatus !== n.status && ['available', 'assigned', 'inactive'].includes(rawStatus)) say(`status ${JSON.stringify(n.status)}`, `stored as ${rawStatus}`);
    const type = normaliseAssigneeType(n.assignedToType);
    if (type && n.assignedToType !== type) say(`assigned_to_type ${JSON.stringify(n.assignedToType)}`, `read as ${type}`);
    if (rawStatus === 'inactive') {
      row.status = 'inactive';
      if (n.assignedToType || n.assignedToId !== null) say('inactive but names an assignee', 'imported inactive, without an assignee');
    } else if (rawStatus === 'assigned') {
      if (type === undefined) say(`assigned to unknown type ${JSON.stringify(n.assignedToType)}`, 'imported available');
      else if (type === null || n.assignedToId === null) say('assigned to nobody', 'imported available');
      else if (type === 'property_manager' && n.assignedToId !== n.propertyManagerId) {
        say(`assigned to property manager ${n.assignedToId}, not its owner ${n.propertyManagerId}`, 'imported available');
      } else if (type === 'realtor' && !realtorPm.has(n.assignedToId)) {
        say(`assigned to realtor ${n.assignedToId}, who does not exist`, 'imported available');
      } else if (type === 'realtor' && realtorPm.get(n.assignedToId) !== n.propertyManagerId) {
        say(`assigned to realtor ${n.assignedToId} of another property manager (${realtorPm.get(n.assignedToId)})`, 'imported available');
      } else {
        row.status = 'assigned';
        row.assigned_to_type = type;
        row.assigned_realtor_id = type === 'realtor' ? n.assignedToId : null;
        row.assigned_at = n.assignedAt ?? n.purchasedAt ?? options.now;
        if (!n.assignedAt) say(`assigned_at is ${DEFAULT_TIMESTAMP_NOTE}`, `set to ${row.assigned_at}`);
      }
    } else {
      if (rawStatus !== 'available') say(`status ${JSON.stringify(n.status)} is unknown`, 'imported available');
      if (n.assignedToType || n.assignedToId !== null) say(`status ${rawStatus || 'empty'} but names an assignee`, 'imported available, without an assignee');
    }
    const planned: PlannedNumber = { sourceTable: 'purchasedphonenumber', sourceId: String(n.id), id: n.id, row, problemTable: 'purchasedphonenumber', problemId: n.id };
    numbers.push(planned);
    byPhone.set(phone, planned);
  }

  // A person keeps the most recently assigned of the numbers they hold.
  const holdings = new Map<string, PlannedNumber[]>();
  for (const n of numbers) {
    if (n.row.status !== 'assigned') continue;
    const key = holderKey(n.row.assigned_to_type!, n.row.assigned_to_type === 'realtor' ? n.row.assigned_realtor_id! : n.row.property_manager_id);
    holdings.set(key, [...(holdings.get(key) ?? []), n]);
  }
  const holds = new Map<string, PlannedNumber>();
  for (const [key, held] of holdings) {
    held.sort((a, b) => (b.row.assigned_at ?? '').localeCompare(a.row.assigned_at ?? '') || b.id! - a.id!);
    holds.set(key, held[0]);
    for (const other of held.slice(1)) {
      problems.push({
        table: 'purchasedphonenumber',
        source_id: other.id!,
        problem: `${key.replace(':', ' ').replace('property_manager', 'property manager')} also holds number ${held[0].id}, assigned more recently`,
        action: 'imported available',
      });
      other.row.status = 'available';
      other.row.assigned_to_type = null;
      other.row.assigned_realtor_id = null;
      other.row.assigned_at = null;
    }
  }

  // Owner rows: their copies of the assignment are overruled; a contact with no number row is recovered.
  let recovered = 0;
  const people = [...data.propertyManagers, ...data.realtors.filter((r) => realtorPm.has(r.id))];
  const numberById = new Map(numbers.map((n) => [n.id!, n]));
  for (const p of people) {
    const say = (problem: string, action: string) => problems.push({ table: p.table, source_id: p.id, problem, action });
    const key = holderKey(p.table === 'propertymanager' ? 'property_manager' : 'realtor', p.id);
    const held = holds.get(key);
    if (p.purchasedPhoneNumberId !== null && p.purchasedPhoneNumberId !== held?.id) {
      say(
        `purchased_phone_number_id names number ${p.purchasedPhoneNumberId}${numberById.has(p.purchasedPhoneNumberId) ? '' : ' (not imported)'}, the number rows say ${held ? `number ${held.id}` : 'none'}`,
        'overruled by the number rows',
      );
    }
    if (isNoContact(p.twilioContact)) continue;
    const contact = normalizePhoneNumber(p.twilioContact, region);
    if (!contact) {
      say(`twilio_contact ${JSON.stringify(p.twilioContact)} cannot be parsed`, 'ignored');
      continue;
    }
    if (held?.row.phone_number === contact) continue;
    const existing = byPhone.get(contact);
    if (existing) {
      say(`twilio_contact ${JSON.stringify(p.twilioContact)} is number ${existing.sourceTable === 'purchasedphonenumber' ? existing.id : `recovered for ${existing.sourceId}`}, the number rows say ${held ? `number ${held.id}` : 'none'}`, 'overruled by the number rows');
      continue;
    }
    let sid = p.twilioSid?.trim() || '';
    if (sid === '' || usedSids.has(sid)) sid = stableLocalSid(p.table, p.id, contact);
    usedSids.add(sid);
    const row: TargetNumber = {
      property_manager_id: p.propertyManagerId,
      phone_number: contact,
      twilio_sid: sid,
      vapi_phone_number_id: null,
      status: held ? 'available' : 'assigned',
      assigned_to_type: held ? null : p.table === 'propertymanager' ? 'property_manager' : 'realtor',
      assigned_realtor_id: held || p.table === 'propertymanager' ? null : p.id,
      assigned_at: held ? null : (p.createdAt ?? options.now),
      notes: `Recovered from ${p.table} ${p.id}'s twilio_contact by the legacy import`,
      purchased_at: p.createdAt,
    };
    const planned: PlannedNumber = { sourceTable: `${p.table}.twilio_contact`, sourceId: String(p.id), row, problemTable: p.table, problemId: p.id };
    numbers.push(planned);
    byPhone.set(contact, planned);
    if (!held) holds.set(key, planned);
    recovered++;
    say(
      `twilio_contact ${JSON.stringify(p.twilioContact)} has no number row`,
      `recovered as ${contact} (SID ${sid}) for property manager ${p.propertyManagerId}, ${held ? `available: they hold number ${held.id}` : 'assigned to them'}`,
    );
  }

  // Requests.
  const requests: TargetRequest[] = [];
  for (const r of [...data.requests].sort((a, b) => a.id - b.id)) {
    const say = (problem: string, action: string) => problems.push({ table: 'phonenumberrequest', source_id: r.id, problem, action });
    if (!pmIds.has(r.propertyManagerId)) {
      skipped.phonenumberrequest++;
      say(`property manager ${r.propertyManagerId} does not exist`, 'skipped');
      continue;
    }
    const status = cleanRequestStatus(r.status);
    if (status.changed) say(`status ${JSON.stringify(r.status)}`, `stored as ${status.value}`);
    const area = cleanAreaCode(r.areaCode);
    if (area.changed) say(`area_code ${JSON.stringify(r.areaCode)}`, area.value === null ? 'dropped (not 2 to 5 digits)' : `stored as ${area.value}`);
    const country = cleanCountryCode(r.countryCode);
    if (country.changed) say(`country_code ${JSON.stringify(r.countryCode)}`, `stored as ${country.value}`);
    const requestedAt = r.requestedAt ?? options.now;
    if (!r.requestedAt) say('requested_at is missing', `set to ${requestedAt}`);
    let fulfilledAt: string | null = null;
    if (status.value === 'fulfilled') {
      fulfilledAt = r.fulfilledAt ?? requestedAt;
      if (!r.fulfilledAt) say('fulfilled without fulfilled_at', `set to requested_at (${requestedAt})`);
    } else if (r.fulfilledAt) {
      say(`${status.value} but has fulfilled_at`, 'fulfilled_at dropped');
    }
    requests.push({
      id: r.id,
      property_manager_id: r.propertyManagerId,
      country_code: country.value,
      area_code: area.value,
      status: status.value,
      notes: r.notes,
      requested_at: requestedAt,
      fulfilled_at: fulfilledAt,
      // The source records no cancellation time: the request time stands in for it.
      cancelled_at: status.value === 'cancelled' ? requestedAt : null,
    });
  }

  return { propertyManagers, realtors, numbers, requests, problems, blocking: findBlockingDuplicates(data), skipped, recovered };
}
