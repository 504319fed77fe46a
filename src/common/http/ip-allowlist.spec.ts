import { IpAllowlist, isIpOrCidr } from './ip-allowlist';

describe('IpAllowlist', () => {
  it('allows everyone when empty', () => {
    expect(new IpAllowlist([]).allows('203.0.113.9')).toBe(true);
  });

  it('matches IPv4 CIDRs and single addresses', () => {
    const list = new IpAllowlist(['10.0.0.0/8', '192.168.1.7']);
    expect(list.allows('10.200.3.4')).toBe(true);
    expect(list.allows('192.168.1.7')).toBe(true);
    expect(list.allows('192.168.1.8')).toBe(false);
    expect(list.allows('11.0.0.1')).toBe(false);
  });

  it('matches IPv4 seen through an IPv6 socket', () => {
    const list = new IpAllowlist(['127.0.0.0/8']);
    expect(list.allows('::ffff:127.0.0.1')).toBe(true);
    expect(list.allows('::ffff:128.0.0.1')).toBe(false);
  });

  it('matches IPv6 CIDRs', () => {
    const list = new IpAllowlist(['2001:db8::/32', '::1']);
    expect(list.allows('2001:db8:1::5')).toBe(true);
    expect(list.allows('::1')).toBe(true);
    expect(list.allows('2001:db9::1')).toBe(false);
    expect(list.allows('10.0.0.1')).toBe(false);
  });

  it('refuses a missing or malformed address when restricted', () => {
    const list = new IpAllowlist(['10.0.0.0/8']);
    expect(list.allows(undefined)).toBe(false);
    expect(list.allows('not-an-ip')).toBe(false);
  });

  it.each([
    ['10.0.0.0/8', true],
    ['::1/128', true],
    ['1.2.3.4', true],
    ['10.0.0.0/33', false],
    ['::/129', false],
    ['10.0.0.0/8/1', false],
    ['example.com', false],
    ['10.0.0.0/x', false],
  ])('validates %s', (entry, valid) => {
    expect(isIpOrCidr(entry)).toBe(valid);
  });
});
