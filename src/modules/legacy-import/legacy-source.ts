/**
 * The old system's rows as the importer reads them (ORIGIN.md), timestamps already turned into
 * ISO strings in UTC (the source stores UTC in `timestamp without time zone`).
 */
export interface SourcePerson {
  table: 'propertymanager' | 'realtor';
  id: number;
  /** For a realtor: their PM; for a PM: their own id. */
  propertyManagerId: number;
  authUserId: string | null;
  name: string | null;
  email: string | null;
  companyName: string | null;
  twilioContact: string | null;
  twilioSid: string | null;
  purchasedPhoneNumberId: number | null;
  /** Call-forwarding and assistant columns, kept only to say what could not be imported. */
  carrier: string | null;
  businessForwardingEnabled: boolean;
  afterHoursEnabled: boolean;
  vapiAssistantId: string | null;
  createdAt: string | null;
}

export interface SourceNumber {
  id: number;
  propertyManagerId: number;
  phoneNumber: string;
  twilioSid: string;
  vapiPhoneNumberId: string | null;
  status: string | null;
  assignedToType: string | null;
  assignedToId: number | null;
  purchasedAt: string | null;
  assignedAt: string | null;
  notes: string | null;
}

export interface SourceRequest {
  id: number;
  propertyManagerId: number;
  countryCode: string | null;
  areaCode: string | null;
  status: string | null;
  notes: string | null;
  requestedAt: string | null;
  fulfilledAt: string | null;
}

export interface SourceData {
  propertyManagers: SourcePerson[];
  realtors: SourcePerson[];
  numbers: SourceNumber[];
  requests: SourceRequest[];
  /** `callforwardingevent` rows (null when the table does not exist). */
  callForwardingEvents: number | null;
}

export const SOURCE_TABLES = ['propertymanager', 'realtor', 'purchasedphonenumber', 'phonenumberrequest', 'callforwardingevent'] as const;
export type SourceTable = (typeof SOURCE_TABLES)[number];
