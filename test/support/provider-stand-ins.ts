import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ContractViolation, flushTally, Provider, recordValidated, recordViolation, takeViolations } from './contract-ledger';
import { ProviderContract } from './provider-contracts';

/**
 * Small HTTP servers on 127.0.0.1 speaking Twilio's and VAPI's wire formats (PROVIDERS.md),
 * with switchable faults per step, so the real SDKs can be driven through every failure.
 *
 * Every request they receive is first checked against the provider's published OpenAPI contract
 * (`provider-contracts.ts`): one that breaks it is answered 400, as the provider would, and
 * recorded; `provider-contract-guard.ts` then fails the test that sent it. Their own successful
 * answers are checked against the contract too, so they never hand the service something the
 * real provider could not.
 */
export type Fault =
  /** A definite refusal: the provider's error body with this status (and Twilio code). */
  | { type: 'error'; status?: number; code?: number }
  /** 503 without doing anything. */
  | { type: '5xx' }
  /** Never answers. `afterProcessing`: the step is done first, then the answer never comes. */
  | { type: 'hang'; afterProcessing?: boolean }
  /** Answers normally after `ms`. */
  | { type: 'slow'; ms: number }
  /** Does the step, then drops the connection instead of answering. */
  | { type: 'drop' };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

interface Reply {
  status: number;
  body?: unknown;
}

const contracts = new Map<Provider, Promise<ProviderContract>>();
const contractOf = (provider: Provider) => contracts.get(provider) ?? contracts.set(provider, ProviderContract.load(provider)).get(provider)!;

abstract class StandIn<Step extends string> {
  readonly requests: RecordedRequest[] = [];
  private contract?: ProviderContract;
  /** Requests checked against the contract by this stand-in. */
  validated = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly faults = new Map<Step, Array<{ fault: Fault; times: number }>>();
  private readonly heldWaiters: Array<{ step: Step; resolve: () => void }> = [];
  readonly held: Step[] = [];
  url = '';

  /** Injects `fault` into the next `times` calls of `step` (Infinity: until cleared). */
  fault(step: Step, fault: Fault, times = 1): this {
    const list = this.faults.get(step) ?? [];
    list.push({ fault, times });
    this.faults.set(step, list);
    return this;
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Resolves once a request of `step` is being held by a `hang` fault. */
  waitForHeld(step: Step): Promise<void> {
    if (this.held.includes(step)) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push({ step, resolve }));
  }

  async start(): Promise<this> {
    this.contract = await contractOf(this.provider);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    // Whatever no test has been failed for yet fails the hook that stops the stand-in.
    const left = takeViolations(this);
    flushTally(left.length);
    if (left.length > 0) throw new Error(`Requests that break ${this.provider}'s contract:\n${left.map((v) => `  - ${v.message}`).join('\n')}`);
  }

  /** Removes and returns the contract violations this stand-in recorded (for tests that send them on purpose). */
  takeViolations(): ContractViolation[] {
    return takeViolations(this);
  }

  requestsFor(step: Step): RecordedRequest[] {
    return this.requests.filter((r) => this.stepOf(r.method, r.path) === step);
  }

  protected abstract readonly provider: Provider;
  protected abstract stepOf(method: string, path: string): Step | undefined;
  protected abstract process(step: Step | undefined, request: RecordedRequest): Reply;
  protected abstract errorBody(status: number, code?: number): unknown;
  protected abstract contentType(): string;
  /** The provider's answer to a request that breaks its contract. */
  protected abstract violationBody(messages: string[]): unknown;

  private nextFault(step: Step): Fault | undefined {
    const list = this.faults.get(step);
    const next = list?.[0];
    if (!next) return undefined;
    next.times -= 1;
    if (next.times <= 0) list!.shift();
    return next.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const type = String(req.headers['content-type'] ?? '');
    let body: unknown;
    let unreadable: string | undefined;
    try {
      body = !raw ? undefined : type.includes('json') ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      unreadable = `${req.method} ${url.pathname}: the body is not the JSON its Content-Type says`;
    }
    const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body };
    this.requests.push(request);
    const step = this.stepOf(request.method, request.path);

    const check = unreadable ? { violations: [unreadable], operationId: undefined } : this.contract!.check(request);
    this.validated += 1;
    recordValidated(this.provider);
    const violate = (messages: string[]) => {
      for (const message of messages) recordViolation({ owner: this, provider: this.provider, message });
    };
    if (check.violations.length > 0) {
      violate(check.violations);
      res.writeHead(400, { 'content-type': this.contentType() }).end(JSON.stringify(this.violationBody(check.violations)));
      return;
    }
    const fault = step ? this.nextFault(step) : undefined;

    const send = (reply: Reply) => {
      if (reply.status < 300 && check.operationId) violate(this.contract!.checkResponse(check.operationId, reply.status, reply.body).map((m) => `stand-in's own answer: ${m}`));
      if (reply.body === undefined) {
        res.writeHead(reply.status).end();
      } else {
        res.writeHead(reply.status, { 'content-type': this.contentType() }).end(JSON.stringify(reply.body));
      }
    };
    const hold = () => {
      this.held.push(step!);
      for (const waiter of this.heldWaiters.filter((w) => w.step === step)) waiter.resolve();
      // The socket stays open until the client gives up or the server stops.
    };
    switch (fault?.type) {
      case undefined:
        return send(this.process(step, request));
      case 'error': {
        const status = fault.status ?? 400;
        return send({ status, body: this.errorBody(status, fault.code) });
      }
      case '5xx':
        return send({ status: 503, body: this.errorBody(503, 20503) });
      case 'hang':
        if (fault.afterProcessing) this.process(step, request);
        return hold();
      case 'slow':
        await new Promise((r) => setTimeout(r, fault.ms));
        return send(this.process(step, request));
      case 'drop':
        this.process(step, request);
        req.socket.destroy();
        return;
    }
  }
}

/** `lookup` is every GET of the incoming-number list, by number or the whole account page by page. */
export type TwilioStep = 'search' | 'buy' | 'lookup' | 'release' | 'update' | 'message';

export interface TwilioNumber {
  sid: string;
  phone_number: string;
  friendly_name: string;
  voice_url: string;
  sms_url: string;
  date_created: string;
}

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-zA-Z]+)\//;

/** Twilio's REST API: search, buy, list by number, release. */
export class TwilioStandIn extends StandIn<TwilioStep> {
  protected readonly provider = 'twilio';
  /** What is for sale, in search order. */
  forSale: string[] = [];
  /** Entries without a number (`phone_number: null`, which the contract allows) listed before the numbers for sale. */
  entriesWithoutNumber = 0;
  /** Buys answered 201 with `sid: null` (the contract allows it); the number is bought all the same. */
  buysAnsweredWithoutSid = 0;
  readonly owned = new Map<string, TwilioNumber>();
  /** Released numbers cannot be bought back (21422), as at Twilio. */
  readonly released = new Set<string>();
  /** Every purchase ever made, even released ones: a number bought twice shows up twice. */
  readonly purchases: TwilioNumber[] = [];

  constructor(readonly accountSid = `AC${randomBytes(16).toString('hex')}`) {
    super();
  }

  /** The largest page the list answers (Twilio's is 1,000); tests lower it to see paging. */
  maxPageSize = 1000;

  /**
   * A purchase landing at Twilio on its own (e.g. one still processing after the client gave up),
   * or a number bought by hand in the Console that our database does not know.
   */
  sell(phone: string, friendlyName: string, urls: { voiceUrl?: string; smsUrl?: string } = {}): TwilioNumber {
    const number: TwilioNumber = {
      sid: `PN${randomBytes(16).toString('hex')}`,
      phone_number: phone,
      friendly_name: friendlyName,
      voice_url: urls.voiceUrl ?? '',
      sms_url: urls.smsUrl ?? '',
      date_created: new Date().toUTCString(),
    };
    this.owned.set(phone, number);
    this.purchases.push(number);
    return number;
  }

  ownedNumbers(): string[] {
    return [...this.owned.values()].map((n) => n.phone_number).sort();
  }

  protected stepOf(method: string, path: string): TwilioStep | undefined {
    if (method === 'GET' && path.endsWith('/AvailablePhoneNumbers/US/Local.json')) return 'search';
    if (method === 'POST' && path.endsWith('/IncomingPhoneNumbers.json')) return 'buy';
    if (method === 'GET' && path.endsWith('/IncomingPhoneNumbers.json')) return 'lookup';
    if (method === 'DELETE' && /\/IncomingPhoneNumbers\/PN[0-9a-f]+\.json$/.test(path)) return 'release';
    if (method === 'POST' && /\/IncomingPhoneNumbers\/PN[0-9a-f]+\.json$/.test(path)) return 'update';
    if (method === 'POST' && path.endsWith('/Messages.json')) return 'message';
    return undefined;
  }

  protected contentType() {
    return 'application/json';
  }

  protected errorBody(status: number, code = status === 404 ? 20404 : 21422) {
    return { code, message: `stand-in error ${code}`, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
  }

  protected violationBody(messages: string[]) {
    return { message: `Invalid request: ${messages.join('; ')}`, status: 400 };
  }

  protected process(step: TwilioStep | undefined, r: RecordedRequest): Reply {
    const account = ACCOUNT_PATH.exec(r.path)?.[1];
    const expectedAuth = `Basic ${Buffer.from(`${this.accountSid}:stand-in-token`).toString('base64')}`;
    if (account !== this.accountSid || r.headers.authorization !== expectedAuth) return { status: 401, body: this.errorBody(401, 20003) };
    switch (step) {
      case 'search': {
        const prefix = `+1${r.query.AreaCode}`;
        const free = this.forSale.filter((n) => n.startsWith(prefix) && !this.owned.has(n) && !this.released.has(n));
        const listed = [...Array.from({ length: this.entriesWithoutNumber }, () => null), ...free];
        const page = listed.slice(0, Number(r.query.PageSize ?? 50)).map((n) => ({
          phone_number: n,
          friendly_name: n && `(${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)}`,
          iso_country: 'US',
          capabilities: { voice: true, sms: true, mms: true },
        }));
        return { status: 200, body: { available_phone_numbers: page } };
      }
      case 'buy': {
        const phone = r.body?.PhoneNumber as string;
        if (!this.forSale.includes(phone) || this.owned.has(phone) || this.released.has(phone)) return { status: 400, body: this.errorBody(400, 21422) };
        const bought: TwilioNumber = {
          sid: `PN${randomBytes(16).toString('hex')}`,
          phone_number: phone,
          friendly_name: r.body.FriendlyName ?? phone,
          voice_url: r.body.VoiceUrl,
          sms_url: r.body.SmsUrl,
          date_created: new Date().toUTCString().replace('GMT', '+0000'),
        };
        this.owned.set(phone, bought);
        this.purchases.push(bought);
        if (this.buysAnsweredWithoutSid > 0) {
          this.buysAnsweredWithoutSid -= 1;
          return { status: 201, body: { ...bought, sid: null } };
        }
        return { status: 201, body: bought };
      }
      case 'lookup':
        return this.listPage(r);
      case 'update': {
        const sid = /\/IncomingPhoneNumbers\/(PN[0-9a-f]+)\.json$/.exec(r.path)![1];
        const number = [...this.owned.values()].find((n) => n.sid === sid);
        if (!number) return { status: 404, body: this.errorBody(404, 20404) };
        if (r.body?.VoiceUrl !== undefined) number.voice_url = r.body.VoiceUrl;
        if (r.body?.SmsUrl !== undefined) number.sms_url = r.body.SmsUrl;
        if (r.body?.FriendlyName !== undefined) number.friendly_name = r.body.FriendlyName;
        return { status: 200, body: number };
      }
      case 'release': {
        const sid = /\/IncomingPhoneNumbers\/(PN[0-9a-f]+)\.json$/.exec(r.path)![1];
        const number = [...this.owned.values()].find((n) => n.sid === sid);
        if (!number) return { status: 404, body: this.errorBody(404, 20404) };
        this.owned.delete(number.phone_number);
        this.released.add(number.phone_number);
        return { status: 204 };
      }
      case 'message':
        return this.message(account, r.body ?? {});
      default:
        return { status: 404, body: this.errorBody(404, 20404) };
    }
  }

  /**
   * One page of the incoming-number list, as Twilio pages it: `PageSize` (default 50, capped at
   * `maxPageSize`), `Page` and `PageToken` (`PA` + the last SID of the previous page), numbers in
   * SID order, and `next_page_uri` (null on the last page) that the SDK follows.
   */
  private listPage(r: RecordedRequest): Reply {
    const all = [...this.owned.values()]
      .filter((n) => !r.query.PhoneNumber || n.phone_number === r.query.PhoneNumber)
      .sort((a, b) => (a.sid < b.sid ? -1 : 1));
    const pageSize = Math.min(Number(r.query.PageSize ?? 50), this.maxPageSize);
    const page = Number(r.query.Page ?? 0);
    const after = r.query.PageToken?.startsWith('PA') ? r.query.PageToken.slice(2) : undefined;
    const start = after ? all.findIndex((n) => n.sid > after) : page * pageSize;
    const items = start < 0 ? [] : all.slice(start, start + pageSize);
    const base = `/2010-04-01/Accounts/${this.accountSid}/IncomingPhoneNumbers.json`;
    const filter = r.query.PhoneNumber ? `&PhoneNumber=${encodeURIComponent(r.query.PhoneNumber)}` : '';
    const more = start >= 0 && start + pageSize < all.length;
    return {
      status: 200,
      body: {
        incoming_phone_numbers: items,
        page,
        page_size: pageSize,
        start: Math.max(start, 0),
        end: Math.max(start, 0) + Math.max(items.length - 1, 0),
        uri: `${base}?PageSize=${pageSize}&Page=${page}${filter}`,
        first_page_uri: `${base}?PageSize=${pageSize}&Page=0${filter}`,
        previous_page_uri: page > 0 ? `${base}?PageSize=${pageSize}&Page=${page - 1}${filter}` : null,
        next_page_uri: more ? `${base}?PageSize=${pageSize}&Page=${page + 1}&PageToken=PA${items[items.length - 1].sid}${filter}` : null,
      },
    };
  }

  /** Messages API: text messages sent (To, From, Body), in order. */
  readonly messages: Array<{ sid: string; to: string; from: string; body: string }> = [];

  private message(account: string, form: Record<string, string>): Reply {
    if (!form.To || !form.Body || !(form.From || form.MessagingServiceSid)) return { status: 400, body: this.errorBody(400, 21604) };
    const sid = `SM${randomBytes(16).toString('hex')}`;
    this.messages.push({ sid, to: form.To, from: form.From, body: form.Body });
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
      status: 201,
      body: {
        sid, account_sid: account, to: form.To, from: form.From ?? null, body: form.Body, status: 'queued', direction: 'outbound-api',
        num_segments: '1', num_media: '0', price: null, price_unit: 'USD', error_code: null, error_message: null, api_version: '2010-04-01',
        messaging_service_sid: form.MessagingServiceSid ?? null, date_created: now, date_updated: now, date_sent: null,
        uri: `/2010-04-01/Accounts/${account}/Messages/${sid}.json`, subresource_uris: { media: `/2010-04-01/Accounts/${account}/Messages/${sid}/Media.json` },
      },
    };
  }
}

export type VapiStep = 'create' | 'list' | 'get' | 'delete' | 'update';

export interface VapiNumber {
  id: string;
  orgId: string;
  provider: string;
  number: string;
  name?: string;
  assistantId?: string;
  twilioAccountSid?: string;
  server?: { url: string; headers?: Record<string, string> };
  createdAt: string;
  updatedAt: string;
}

/** VAPI's phone-number API: create (import from Twilio), list, get, delete. */
export class VapiStandIn extends StandIn<VapiStep> {
  protected readonly provider = 'vapi';
  readonly numbers = new Map<string, VapiNumber>();
  readonly apiKey = `vapi-key-${randomUUID()}`;

  registeredNumbers(): string[] {
    return [...this.numbers.values()].map((n) => n.number).sort();
  }

  /** A registration made outside the service (by hand in the dashboard, or twice). */
  registerDirectly(phone: string, options: { serverUrl?: string; createdAt?: Date; name?: string } = {}): VapiNumber {
    const at = (options.createdAt ?? new Date()).toISOString();
    const created: VapiNumber = {
      id: randomUUID(),
      orgId: 'org-stand-in',
      provider: 'twilio',
      number: phone,
      name: options.name ?? 'added by hand',
      ...(options.serverUrl ? { server: { url: options.serverUrl } } : {}),
      createdAt: at,
      updatedAt: at,
    };
    this.numbers.set(created.id, created);
    return created;
  }

  /**
   * `GET /phone-number` as VAPI answers it: newest first, at most `limit` (default 100, at most
   * 1,000), filtered by the createdAt bounds; no page token.
   */
  private listPage(r: RecordedRequest): Reply {
    const limit = r.query.limit === undefined ? 100 : Number(r.query.limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) return { status: 400, body: this.errorBody(400) };
    const bound = (name: string) => (r.query[name] === undefined ? undefined : Date.parse(r.query[name]));
    const [gt, lt, ge, le] = ['createdAtGt', 'createdAtLt', 'createdAtGe', 'createdAtLe'].map(bound);
    const items = [...this.numbers.values()]
      .filter((n) => {
        const at = Date.parse(n.createdAt);
        return (gt === undefined || at > gt) && (lt === undefined || at < lt) && (ge === undefined || at >= ge) && (le === undefined || at <= le);
      })
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? -1 : 1))
      .slice(0, limit);
    return { status: 200, body: items };
  }

  protected stepOf(method: string, path: string): VapiStep | undefined {
    if (method === 'POST' && path === '/phone-number') return 'create';
    if (method === 'GET' && path === '/phone-number') return 'list';
    if (method === 'GET' && path.startsWith('/phone-number/')) return 'get';
    if (method === 'DELETE' && path.startsWith('/phone-number/')) return 'delete';
    if (method === 'PATCH' && path.startsWith('/phone-number/')) return 'update';
    return undefined;
  }

  protected contentType() {
    return 'application/json';
  }

  protected errorBody(status: number) {
    const error = status === 404 ? 'Not Found' : status >= 500 ? 'Service Unavailable' : 'Bad Request';
    return { statusCode: status, error, message: [`stand-in ${error.toLowerCase()}`] };
  }

  protected violationBody(messages: string[]) {
    return { statusCode: 400, error: 'Bad Request', message: messages };
  }

  protected process(step: VapiStep | undefined, r: RecordedRequest): Reply {
    if (r.headers.authorization !== `Bearer ${this.apiKey}`) return { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'Unauthorized' } };
    const id = r.path.split('/')[2];
    switch (step) {
      case 'create': {
        if ([...this.numbers.values()].some((n) => n.number === r.body?.number)) {
          return { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Number already exists' } };
        }
        const now = new Date().toISOString();
        const created: VapiNumber = { id: randomUUID(), orgId: 'org-stand-in', ...r.body, createdAt: now, updatedAt: now };
        delete (created as { twilioAuthToken?: string }).twilioAuthToken;
        this.numbers.set(created.id, created);
        return { status: 201, body: created };
      }
      case 'list':
        return this.listPage(r);
      case 'update': {
        const found = this.numbers.get(id);
        if (!found) return { status: 404, body: this.errorBody(404) };
        const { provider: _provider, twilioAuthToken: _token, ...changes } = r.body ?? {};
        Object.assign(found, changes, { updatedAt: new Date().toISOString() });
        return { status: 200, body: found };
      }
      case 'get':
        return this.numbers.has(id) ? { status: 200, body: this.numbers.get(id) } : { status: 404, body: this.errorBody(404) };
      case 'delete': {
        const found = this.numbers.get(id);
        if (!found) return { status: 404, body: this.errorBody(404) };
        this.numbers.delete(id);
        return { status: 200, body: found };
      }
      default:
        return { status: 404, body: this.errorBody(404) };
    }
  }
}

/** Both stand-ins, and the environment that points the service at them. */
export async function startStandIns(): Promise<{ twilio: TwilioStandIn; vapi: VapiStandIn; env: Record<string, string>; stop: () => Promise<void> }> {
  const twilio = await new TwilioStandIn().start();
  const vapi = await new VapiStandIn().start();
  return {
    twilio,
    vapi,
    env: {
      TELEPHONY_MODE: 'live',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: 'stand-in-token',
      TWILIO_API_BASE_URL: twilio.url,
      VAPI_API_KEY: vapi.apiKey,
      VAPI_ASSISTANT_ID: 'assistant-stand-in',
      VAPI_API_BASE_URL: vapi.url,
      VAPI_WEBHOOK_SECRET: 'webhook-secret-stand-in',
      PUBLIC_BASE_URL: 'https://pn.example.test',
    },
    stop: async () => {
      const stopped = await Promise.allSettled([twilio.stop(), vapi.stop()]);
      const failed = stopped.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
