import { loadConfig } from '../../config/app-config';
import { BuyNumberInput, NumberProvider, OwnedNumber } from '../providers/number-provider';
import { ProviderError } from '../providers/provider-error';
import { TelephonySettings } from '../providers/telephony-settings';
import { RegisteredNumber, RegisterNumberInput, VoiceAgentProvider } from '../providers/voice-agent-provider';
import { PurchaseOperationEntity, PurchaseState, StoredError } from './entities/purchase-operation.entity';
import type { PurchaseLedger } from './purchase-ledger';
import { PurchaseWorkflow } from './purchase-workflow';

const refused = (provider: 'twilio' | 'vapi', status = 400, code?: number) => new ProviderError(provider, 'refused', 'client_error', 'refused', status, code);
const timedOut = (provider: 'twilio' | 'vapi') => new ProviderError(provider, 'unknown', 'timeout', 'timed out');

class FakeTwilio extends NumberProvider {
  readonly sandbox = false;
  forSale: string[] = [];
  owned = new Map<string, OwnedNumber>();
  failNext: Partial<Record<'search' | 'buy' | 'lookup' | 'release', ProviderError>> = {};
  /** The buy happens, then the answer is lost (as a timeout after processing). */
  loseBuyAnswer = false;
  calls: string[] = [];

  private take(step: 'search' | 'buy' | 'lookup' | 'release') {
    this.calls.push(step);
    const error = this.failNext[step];
    delete this.failNext[step];
    if (error) throw error;
  }
  async searchAvailable(): Promise<string[]> {
    this.take('search');
    return this.forSale.filter((n) => !this.owned.has(n));
  }
  async buy(input: BuyNumberInput): Promise<OwnedNumber> {
    this.take('buy');
    const number = { sid: `PN${this.owned.size + 1}`, phoneNumber: input.phoneNumber, friendlyName: input.friendlyName };
    this.owned.set(input.phoneNumber, number);
    if (this.loseBuyAnswer) throw timedOut('twilio');
    return number;
  }
  async findOwned(phoneNumber: string): Promise<OwnedNumber | null> {
    this.take('lookup');
    return this.owned.get(phoneNumber) ?? null;
  }
  async release(sid: string): Promise<void> {
    this.take('release');
    for (const [phone, n] of this.owned) if (n.sid === sid) this.owned.delete(phone);
  }
  async listAll(): Promise<never> {
    throw new Error('the purchase workflow never lists the account');
  }
  async updateUrls(): Promise<never> {
    throw new Error('the purchase workflow never changes URLs');
  }
}

class FakeVapi extends VoiceAgentProvider {
  readonly sandbox = false;
  registered = new Map<string, RegisteredNumber>();
  failNext: Partial<Record<'register' | 'find' | 'remove', ProviderError>> = {};
  names: string[] = [];

  private take(step: 'register' | 'find' | 'remove') {
    const error = this.failNext[step];
    delete this.failNext[step];
    if (error) throw error;
  }
  async register(input: RegisterNumberInput): Promise<RegisteredNumber> {
    this.take('register');
    this.names.push(input.name);
    const number = { id: `vapi-${this.registered.size + 1}`, phoneNumber: input.phoneNumber };
    this.registered.set(number.id, number);
    return number;
  }
  async findByNumber(phoneNumber: string): Promise<RegisteredNumber | null> {
    this.take('find');
    return [...this.registered.values()].find((n) => n.phoneNumber === phoneNumber) ?? null;
  }
  async remove(id: string): Promise<void> {
    this.take('remove');
    this.registered.delete(id);
  }
  async listAll(): Promise<never> {
    throw new Error('the purchase workflow never lists registrations');
  }
  async updateServer(): Promise<never> {
    throw new Error('the purchase workflow never changes server URLs');
  }
}

/** The ledger in memory: what the workflow wrote down, step by step. */
class MemoryLedger {
  states: PurchaseState[] = [];
  parked: string[] = [];
  failedWith?: StoredError;
  recordRefusal?: Error;
  recorded = false;

  async transition(op: PurchaseOperationEntity, _owner: string, to: PurchaseState, patch: Partial<PurchaseOperationEntity> = {}) {
    Object.assign(op, patch, { state: to });
    this.states.push(to);
  }
  async fail(op: PurchaseOperationEntity, _owner: string, _by: string, error: StoredError) {
    Object.assign(op, { state: 'failed', error });
    this.failedWith = error;
    this.states.push('failed');
  }
  async recordNumber(op: PurchaseOperationEntity) {
    if (this.recordRefusal) throw this.recordRefusal;
    this.recorded = true;
    Object.assign(op, { state: 'succeeded', purchasedPhoneNumberId: 1 });
    this.states.push('succeeded');
  }
  async park(op: PurchaseOperationEntity, error: unknown) {
    this.parked.push(typeof error === 'string' ? error : String((error as Error).message));
  }
  log() {}
}

function operation(patch: Partial<PurchaseOperationEntity> = {}): PurchaseOperationEntity {
  return Object.assign(new PurchaseOperationEntity(), {
    id: '0b5d4c4e-6a0e-4c35-9d5b-b6f0b6c1a001',
    propertyManagerId: 7,
    areaCode: '412',
    state: 'started',
    phoneNumber: null,
    twilioSid: null,
    vapiPhoneNumberId: null,
    error: null,
    lastError: null,
    attempts: 0,
    sandbox: false,
    createdAt: new Date(),
    ...patch,
  });
}

describe('PurchaseWorkflow', () => {
  let twilio: FakeTwilio;
  let vapi: FakeVapi;
  let ledger: MemoryLedger;
  let workflow: PurchaseWorkflow;

  beforeEach(() => {
    const config = loadConfig({ NODE_ENV: 'test', TELEPHONY_MODE: 'sandbox', PURCHASE_BUY_GRACE_MS: '0' });
    twilio = new FakeTwilio();
    vapi = new FakeVapi();
    ledger = new MemoryLedger();
    twilio.forSale = ['+14125550100', '+14125550101'];
    workflow = new PurchaseWorkflow(twilio, vapi, new TelephonySettings(config), config, ledger as unknown as PurchaseLedger);
  });

  it('searches, buys that number, registers it and records it', async () => {
    const op = operation();
    await workflow.drive(op, 'owner', 'request');
    expect(ledger.states).toEqual(['buying', 'registering', 'recording', 'succeeded']);
    expect(op).toMatchObject({ phoneNumber: '+14125550100', twilioSid: 'PN1', vapiPhoneNumberId: 'vapi-1' });
    expect(twilio.owned.get('+14125550100')!.friendlyName).toContain(op.id);
  });

  it('ends a purchase whose search fails without buying anything', async () => {
    twilio.failNext.search = timedOut('twilio');
    const op = operation();
    await workflow.drive(op, 'owner', 'request');
    expect(ledger.states).toEqual(['failed']);
    expect(ledger.failedWith).toMatchObject({ kind: 'upstream_timeout', code: 'twilio_search_failed' });
    expect(twilio.calls).toEqual(['search']);
  });

  it('fails with no_numbers_available when nothing is for sale', async () => {
    twilio.forSale = [];
    const op = operation();
    await workflow.drive(op, 'owner', 'request');
    expect(ledger.failedWith).toMatchObject({ kind: 'conflict', code: 'no_numbers_available' });
  });

  it('fails a buy Twilio refused (21422 → number_not_available)', async () => {
    twilio.failNext.buy = refused('twilio', 400, 21422);
    const op = operation();
    await workflow.drive(op, 'owner', 'request');
    expect(ledger.states).toEqual(['buying', 'failed']);
    expect(ledger.failedWith).toMatchObject({ code: 'number_not_available' });
  });

  it('resolves a buy with an unknown outcome by looking it up, never by buying again', async () => {
    twilio.loseBuyAnswer = true;
    const op = operation();
    await workflow.drive(op, 'owner', 'request');
    expect(twilio.calls.filter((c) => c === 'buy')).toHaveLength(1);
    expect(twilio.calls).toContain('lookup');
    expect(ledger.states).toEqual(['buying', 'registering', 'recording', 'succeeded']);
  });

  it('parks a buy whose outcome stays unknown, and the reconciler finds it bought later', async () => {
    twilio.loseBuyAnswer = true;
    twilio.failNext.lookup = timedOut('twilio');
    const op = operation();
    await workflow.drive(op, 'owner', 'request');
    expect(op.state).toBe('buying');
    expect(ledger.parked).toHaveLength(1);

    twilio.loseBuyAnswer = false;
    await workflow.drive(op, 'owner', 'reconciler');
    expect(twilio.calls.filter((c) => c === 'buy')).toHaveLength(1);
    expect(op.state).toBe('succeeded');
  });

  it('closes a buy the reconciler cannot find after the grace period: nothing was charged', async () => {
    const op = operation({ state: 'buying', phoneNumber: '+14125550100' });
    await workflow.drive(op, 'owner', 'reconciler');
    expect(ledger.failedWith).toMatchObject({ code: 'number_not_bought' });
    expect(twilio.calls).toEqual(['lookup']);
  });

  it('gives the number back at Twilio when VAPI refuses it (the guide’s cleanup)', async () => {
    vapi.failNext.register = refused('vapi');
    const op = operation();
    await workflow.drive(op, 'owner', 'request');
    expect(ledger.states).toEqual(['buying', 'registering', 'releasing', 'failed']);
    expect(twilio.owned.size).toBe(0);
    expect(ledger.failedWith).toMatchObject({ code: 'vapi_registration_failed' });
  });

  it('resolves a registration with an unknown outcome by looking at VAPI', async () => {
    vapi.failNext.register = timedOut('vapi');
    const op = operation({ state: 'registering', phoneNumber: '+14125550100', twilioSid: 'PN9' });
    await workflow.drive(op, 'owner', 'request');
    // Not registered (the timeout happened first): parked, never registered twice blindly.
    expect(op.state).toBe('registering');
    await workflow.drive(op, 'owner', 'reconciler');
    expect(vapi.registered.size).toBe(1);
    expect(op.state).toBe('succeeded');
  });

  it('releases a number the database refuses, instead of paying for it', async () => {
    const refusal = Object.assign(new Error('duplicate'), { name: 'QueryFailedError' });
    ledger.recordRefusal = refusal;
    const { QueryFailedError } = await import('typeorm');
    ledger.recordRefusal = Object.assign(new QueryFailedError('INSERT', [], Object.assign(new Error('dup'), { code: '23505', constraint: 'uq_numbers_phone_number' })));
    const op = operation();
    await workflow.drive(op, 'owner', 'request');
    expect(ledger.states).toEqual(['buying', 'registering', 'recording', 'releasing', 'failed']);
    expect(ledger.failedWith).toMatchObject({ kind: 'conflict', code: 'phone_number_exists' });
    expect(twilio.owned.size).toBe(0);
    expect(vapi.registered.size).toBe(0);
  });

  it('keeps retrying a release that fails (never throws, never loses the number)', async () => {
    twilio.failNext.release = timedOut('twilio');
    const op = operation({ state: 'releasing', phoneNumber: '+14125550100', twilioSid: 'PN1' });
    twilio.owned.set('+14125550100', { sid: 'PN1', phoneNumber: '+14125550100', friendlyName: null });
    await workflow.drive(op, 'owner', 'reconciler');
    expect(op.state).toBe('releasing');
    await workflow.drive(op, 'owner', 'reconciler');
    expect(op.state).toBe('failed');
    expect(twilio.owned.size).toBe(0);
  });
});
