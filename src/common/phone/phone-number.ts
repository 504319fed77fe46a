import { parsePhoneNumberFromString, CountryCode } from 'libphonenumber-js/max';

const E164 = /^\+[1-9]\d{1,14}$/;

/** True when `value` is written in E.164 (`+14125551234`) and is a real, dialable number. */
export function isValidE164(value: unknown): value is string {
  if (typeof value !== 'string' || !E164.test(value)) return false;
  return parsePhoneNumberFromString(value)?.isValid() === true;
}

/**
 * Normalises the forms callers send (`+14125551234`, `whatsapp:+14125551234`, `tel:…`,
 * `(412) 555-1234`, `412-555-1234`) to E.164; numbers without a country code are read in
 * `defaultRegion`. Returns undefined when the input is not a valid number.
 */
export function normalizePhoneNumber(value: unknown, defaultRegion = 'US'): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const stripped = value.trim().replace(/^(whatsapp|sms|tel|sip):/i, '');
  const parsed = parsePhoneNumberFromString(stripped, defaultRegion as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
}
