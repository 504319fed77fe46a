import { BlockList, isIP } from 'node:net';

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128). */
export function isIpOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** An IPv4 address seen through an IPv6 socket (`::ffff:10.1.2.3`) is matched as IPv4. */
function unmapped(ip: string): string {
  const match = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return match ? match[1] : ip;
}

/** Client addresses allowed to make admin calls. An empty list allows every address. */
export class IpAllowlist {
  private readonly list = new BlockList();
  readonly isOpen: boolean;

  constructor(entries: string[]) {
    this.isOpen = entries.length === 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  allows(ip: string | undefined): boolean {
    if (this.isOpen) return true;
    if (!ip) return false;
    const address = unmapped(ip);
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
