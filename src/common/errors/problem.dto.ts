/** A field that failed validation. */
export class FieldErrorDto {
  /** For an item of a bulk body (`POST /admin/add-purchased-numbers`): its position, from 0. @example 3 */
  index?: number;
  /** @example "phone_number" */
  field: string;
  /** For an item of a bulk body: what is wrong, stable. @example "phone_number_exists" */
  code?: string;
  /** @example "phone_number must be a valid phone number in E.164 format, e.g. +14125551234" */
  message: string;
}

/** RFC 9457 problem details (`application/problem+json`). */
export class ProblemDto {
  /** @example "urn:problem-type:phone-numbers:phone_number_exists" */
  type: string;
  /** @example "Conflict" */
  title: string;
  /** @example 409 */
  status: number;
  /** @example "This phone number already exists." */
  detail: string;
  /** A stable, machine-readable code. @example "phone_number_exists" */
  code: string;
  /** @example "/admin/add-purchased-number" */
  instance?: string;
  /** Quote it when reporting a problem. */
  request_id?: string;
  /** Present for validation errors, and for a refused bulk add (one entry per refused item). */
  errors?: FieldErrorDto[];
}
