import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BuyNumberInput, ListedNumber, NumberProvider, NumberUrls, OwnedNumber } from './number-provider';
import { ListedRegistration, RegisteredNumber, RegisterNumberInput, ServerSettings, VoiceAgentProvider } from './voice-agent-provider';

/**
 * Sandbox telephony: buys and registers nothing. Numbers are in the fictional 555 exchange and SIDs
 * start with `SB`, so they are never mistaken for real ones.
 *
 * Which numbers are free comes from the database when it has one (always, in the service), so every
 * instance of a fleet sees the same: a search offers only numbers no purchase holds and no purchased
 * number uses (two purchases racing for one candidate are still kept apart by the unique index on
 * active purchases, and the loser takes the next candidate). What it "sold" is remembered in memory:
 * that is the sandbox inventory the drift report compares with (it lives as long as the process:
 * after a restart, sandbox numbers recorded earlier show as missing), and a sandbox purchase
 * interrupted on a dead instance is closed by the reconciler, not finished.
 */
export class SandboxNumberProvider extends NumberProvider {
  readonly sandbox = true;
  private readonly owned = new Map<string, ListedNumber>();

  constructor(private readonly dataSource?: DataSource) {
    super();
  }

  async searchAvailable(areaCode: string, limit: number): Promise<string[]> {
    const prefix = `+1${areaCode.padEnd(3, '0').slice(0, 3)}555`;
    if (this.dataSource) {
      // The exchange's 10,000 numbers less those taken, in random order: exact even when nearly full.
      const rows: Array<{ phone_number: string }> = await this.dataSource.query(
        `SELECT candidate AS phone_number
         FROM generate_series(0, 9999) AS n, LATERAL (SELECT $1 || lpad(n::text, 4, '0') AS candidate) c
         WHERE NOT EXISTS (SELECT 1 FROM purchased_phone_numbers p WHERE p.phone_number = c.candidate)
           AND NOT EXISTS (SELECT 1 FROM purchase_operations o WHERE o.phone_number = c.candidate AND o.state <> 'failed')
         ORDER BY random() LIMIT $2`,
        [prefix, limit],
      );
      return rows.map((row) => row.phone_number);
    }
    return Array.from({ length: limit }, () => `${prefix}${String(randomInt(0, 10_000)).padStart(4, '0')}`).filter((n) => !this.owned.has(n));
  }

  async buy(input: BuyNumberInput): Promise<OwnedNumber> {
    const number: ListedNumber = {
      sid: `SB${randomBytes(16).toString('hex')}`,
      phoneNumber: input.phoneNumber,
      friendlyName: input.friendlyName,
      voiceUrl: input.voiceUrl,
      smsUrl: input.smsUrl,
      monthlyPrice: null,
    };
    this.owned.set(input.phoneNumber, number);
    return { sid: number.sid, phoneNumber: number.phoneNumber, friendlyName: number.friendlyName };
  }

  async findOwned(phoneNumber: string): Promise<OwnedNumber | null> {
    const number = this.owned.get(phoneNumber);
    return number ? { sid: number.sid, phoneNumber: number.phoneNumber, friendlyName: number.friendlyName } : null;
  }

  async listAll(): Promise<ListedNumber[]> {
    return [...this.owned.values()].map((n) => ({ ...n }));
  }

  async updateUrls(sid: string, urls: NumberUrls): Promise<void> {
    for (const number of this.owned.values()) if (number.sid === sid) Object.assign(number, urls);
  }

  async release(sid: string): Promise<void> {
    for (const [phone, number] of this.owned) if (number.sid === sid) this.owned.delete(phone);
  }
}

export class SandboxVoiceAgentProvider extends VoiceAgentProvider {
  readonly sandbox = true;
  private readonly registered = new Map<string, ListedRegistration>();

  async register(input: RegisterNumberInput): Promise<RegisteredNumber> {
    const registered = { id: `sandbox-${randomUUID()}`, phoneNumber: input.phoneNumber, serverUrl: input.serverUrl };
    this.registered.set(input.phoneNumber, registered);
    return { id: registered.id, phoneNumber: registered.phoneNumber };
  }

  async findByNumber(phoneNumber: string): Promise<RegisteredNumber | null> {
    const found = this.registered.get(phoneNumber);
    return found ? { id: found.id, phoneNumber } : null;
  }

  async listAll(): Promise<ListedRegistration[]> {
    return [...this.registered.values()].map((r) => ({ ...r }));
  }

  async updateServer(id: string, settings: ServerSettings): Promise<void> {
    for (const r of this.registered.values()) if (r.id === id) r.serverUrl = settings.serverUrl;
  }

  async remove(id: string): Promise<void> {
    for (const [phone, r] of this.registered) if (r.id === id) this.registered.delete(phone);
  }
}
