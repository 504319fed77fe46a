import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { BuyNumberInput, ListedNumber, NumberProvider, NumberUrls, OwnedNumber } from './number-provider';
import { ListedRegistration, RegisteredNumber, RegisterNumberInput, ServerSettings, VoiceAgentProvider } from './voice-agent-provider';

/**
 * Sandbox telephony: buys and registers nothing, remembers in memory what it "sold". Numbers are
 * in the fictional 555 exchange and SIDs start with `SB`, so they are never mistaken for real ones.
 * What sandbox purchases created is the sandbox inventory the drift report compares with (it
 * lives as long as the process: after a restart, sandbox numbers recorded earlier show as missing).
 */
export class SandboxNumberProvider extends NumberProvider {
  readonly sandbox = true;
  private readonly owned = new Map<string, ListedNumber>();

  async searchAvailable(areaCode: string, limit: number): Promise<string[]> {
    return Array.from({ length: limit }, () => `+1${areaCode.padEnd(3, '0').slice(0, 3)}555${String(randomInt(0, 10_000)).padStart(4, '0')}`).filter(
      (n) => !this.owned.has(n),
    );
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
