import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BuyNumberInput, NumberProvider, OwnedNumber } from './number-provider';
import { RegisteredNumber, RegisterNumberInput, VoiceAgentProvider } from './voice-agent-provider';

/**
 * Sandbox telephony: buys and registers nothing. Numbers are in the fictional 555 exchange and SIDs
 * start with `SB`, so they are never mistaken for real ones.
 *
 * Its inventory is the database when it has one (always, in the service), so every instance of a
 * fleet sees the same: a search offers only numbers no purchase holds and no purchased number uses
 * (two purchases racing for one candidate are still kept apart by the unique index on active
 * purchases, and the loser takes the next candidate). What it "sold" is remembered in memory:
 * a sandbox purchase interrupted on a dead instance is closed by the reconciler, not finished.
 */
export class SandboxNumberProvider extends NumberProvider {
  readonly sandbox = true;
  private readonly owned = new Map<string, OwnedNumber>();

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
    const number = { sid: `SB${randomBytes(16).toString('hex')}`, phoneNumber: input.phoneNumber, friendlyName: input.friendlyName };
    this.owned.set(input.phoneNumber, number);
    return number;
  }

  async findOwned(phoneNumber: string): Promise<OwnedNumber | null> {
    return this.owned.get(phoneNumber) ?? null;
  }

  async release(sid: string): Promise<void> {
    for (const [phone, number] of this.owned) if (number.sid === sid) this.owned.delete(phone);
  }
}

export class SandboxVoiceAgentProvider extends VoiceAgentProvider {
  readonly sandbox = true;
  private readonly registered = new Map<string, RegisteredNumber>();

  async register(input: RegisterNumberInput): Promise<RegisteredNumber> {
    const registered = { id: `sandbox-${randomUUID()}`, phoneNumber: input.phoneNumber };
    this.registered.set(input.phoneNumber, registered);
    return registered;
  }

  async findByNumber(phoneNumber: string): Promise<RegisteredNumber | null> {
    return this.registered.get(phoneNumber) ?? null;
  }

  async remove(id: string): Promise<void> {
    for (const [phone, r] of this.registered) if (r.id === id) this.registered.delete(phone);
  }
}
