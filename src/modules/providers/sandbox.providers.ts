import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { BuyNumberInput, NumberProvider, OwnedNumber } from './number-provider';
import { RegisteredNumber, RegisterNumberInput, VoiceAgentProvider } from './voice-agent-provider';

/**
 * Sandbox telephony: buys and registers nothing, remembers in memory what it "sold". Numbers are
 * in the fictional 555 exchange and SIDs start with `SB`, so they are never mistaken for real ones.
 */
export class SandboxNumberProvider extends NumberProvider {
  readonly sandbox = true;
  private readonly owned = new Map<string, OwnedNumber>();

  async searchAvailable(areaCode: string, limit: number): Promise<string[]> {
    return Array.from({ length: limit }, () => `+1${areaCode.padEnd(3, '0').slice(0, 3)}555${String(randomInt(0, 10_000)).padStart(4, '0')}`).filter(
      (n) => !this.owned.has(n),
    );
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
