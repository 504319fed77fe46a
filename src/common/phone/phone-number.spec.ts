import { isValidE164, normalizePhoneNumber } from './phone-number';

describe('isValidE164', () => {
  it.each(['+14125551234', '+15005550006', '+442071838750'])('accepts %s', (input) => {
    expect(isValidE164(input)).toBe(true);
  });

  it.each([
    ['4125551234', 'no country code'],
    ['+1412555123', 'too short'],
    ['abc', 'not a number'],
    ['+1 412 555 1234', 'spaces'],
    ['(412) 555-1234', 'national format'],
    ['+0412555123', 'leading zero country code'],
    ['+14125551234567890', 'too long'],
    ['', 'empty'],
  ])('refuses %s (%s)', (input) => {
    expect(isValidE164(input)).toBe(false);
  });

  it.each([12345, null, undefined, {}, ['+14125551234']])('refuses non-strings (%p)', (input) => {
    expect(isValidE164(input)).toBe(false);
  });
});

describe('normalizePhoneNumber', () => {
  it.each([
    ['+14125551234', '+14125551234'],
    ['whatsapp:+14125551234', '+14125551234'],
    ['tel:+14125551234', '+14125551234'],
    ['(412) 555-1234', '+14125551234'],
    ['412-555-1234', '+14125551234'],
    ['4125551234', '+14125551234'],
    [' +1 412 555 1234 ', '+14125551234'],
  ])('reads %s as %s', (input, expected) => {
    expect(normalizePhoneNumber(input)).toBe(expected);
  });

  it('reads national numbers in the configured region', () => {
    expect(normalizePhoneNumber('020 7183 8750', 'GB')).toBe('+442071838750');
  });

  it.each(['abc', '', '123', 'whatsapp:', '+1412555123', 'x'.repeat(100)])('gives nothing for %s', (input) => {
    expect(normalizePhoneNumber(input)).toBeUndefined();
  });
});
