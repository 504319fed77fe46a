/** Who owns a number now: what the chatbot needs to answer with the right data. */
export class OwnerLookupDto {
  /** E.164. @example "+14125551234" */
  phone_number: string;
  /** @example "realtor" */
  owner_type: 'property_manager' | 'realtor';
  /** The PM's or the realtor's id. @example 7 */
  owner_id: number;
  /** @example "Jane Doe" */
  owner_name: string;
  /** @example "jane@example.com" */
  owner_email: string;
  /** The owning PM: the owner itself, or the realtor's PM. @example 1 */
  property_manager_id: number;
  /** @example "John Smith" */
  property_manager_name: string;
  /** @example "Smith Property Management" */
  company_name: string | null;
  /**
   * For a PM owner: the ids of the PM's realtors (whose data the bot may also use). Null for a
   * realtor owner (their data is their own; their PM is `property_manager_id`). @example null
   */
  realtor_ids: number[] | null;
  /** @example 12 */
  purchased_phone_number_id: number;
  /** @example "vapi_123" */
  vapi_phone_number_id: string | null;
}
