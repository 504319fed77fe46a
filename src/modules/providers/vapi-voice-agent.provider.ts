import { VapiClient, VapiError, VapiTimeoutError } from '@vapi-ai/server-sdk';
import { callProvider, deleteIgnoringGone, outcomeOfStatus, ProviderError } from './provider-error';
import { ListedRegistration, RegisteredNumber, RegisterNumberInput, ServerSettings, VoiceAgentProvider } from './voice-agent-provider';

export interface VapiSettings {
  apiKey: string;
  assistantId?: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  baseUrl?: string;
  timeoutMs: number;
}

const VAPI_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VAPI_MAX_PAGE_SIZE = 1000;

interface VapiListedItem {
  id: string;
  number?: string;
  createdAt: string;
  server?: { url?: string };
}

/** VAPI, through the official SDK. */
export class VapiVoiceAgentProvider extends VoiceAgentProvider {
  readonly sandbox = false;
  private readonly client: VapiClient;

  constructor(private readonly settings: VapiSettings) {
    super();
    // The SDK retries POSTs on 408/429/5xx by default: a retried create can register a number twice.
    this.client = new VapiClient({
      token: settings.apiKey,
      baseUrl: settings.baseUrl,
      maxRetries: 0,
      timeoutInSeconds: settings.timeoutMs / 1000,
    });
  }

  async register(input: RegisterNumberInput): Promise<RegisteredNumber> {
    const created = await this.call(() =>
      this.client.phoneNumbers.create({
        provider: 'twilio',
        number: input.phoneNumber,
        twilioAccountSid: this.settings.twilioAccountSid,
        twilioAuthToken: this.settings.twilioAuthToken,
        name: input.name,
        ...(this.settings.assistantId ? { assistantId: this.settings.assistantId } : {}),
        server: {
          url: input.serverUrl,
          ...(input.serverSecret ? { headers: { 'x-vapi-secret': input.serverSecret } } : {}),
        },
      } as never),
    );
    const item = created as unknown as { id: string; number?: string };
    return { id: item.id, phoneNumber: item.number ?? input.phoneNumber };
  }

  async findByNumber(phoneNumber: string): Promise<RegisteredNumber | null> {
    const match = (await this.listAll()).find((n) => n.phoneNumber === phoneNumber);
    return match ? { id: match.id, phoneNumber } : null;
  }

  /**
   * Every registration. `GET /phone-number` answers at most `limit` (≤ 1,000) items and has no
   * page token, only createdAt bounds: a full page is followed by the next window, bounded
   * inclusively at its oldest (or, if VAPI answers oldest first, newest) `createdAt`; items seen
   * twice at the boundary are kept once. A full page that adds nothing (more than 1,000
   * registrations created at the same instant) cannot be paged past and fails the listing.
   */
  async listAll(): Promise<ListedRegistration[]> {
    const seen = new Map<string, ListedRegistration>();
    let window: { createdAtLe?: string; createdAtGe?: string } = {};
    for (;;) {
      const page = (await this.call(() => this.client.phoneNumbers.list({ limit: VAPI_MAX_PAGE_SIZE, ...window }))) as unknown as VapiListedItem[];
      let added = 0;
      for (const item of page) {
        if (seen.has(item.id)) continue;
        seen.set(item.id, { id: item.id, phoneNumber: item.number ?? '', serverUrl: item.server?.url ?? null });
        added += 1;
      }
      if (page.length < VAPI_MAX_PAGE_SIZE) return [...seen.values()];
      if (added === 0) throw new ProviderError('vapi', 'unknown', 'server_error', 'VAPI phone numbers cannot be listed past a page of numbers created at the same instant');
      const first = page[0].createdAt;
      const last = page[page.length - 1].createdAt;
      window = Date.parse(first) >= Date.parse(last) ? { createdAtLe: last } : { createdAtGe: last };
    }
  }

  async updateServer(id: string, settings: ServerSettings): Promise<void> {
    await this.call(() =>
      this.client.phoneNumbers.update({
        id,
        body: {
          provider: 'twilio',
          server: { url: settings.serverUrl, ...(settings.serverSecret ? { headers: { 'x-vapi-secret': settings.serverSecret } } : {}) },
        },
      }),
    );
  }

  async remove(id: string): Promise<void> {
    // VAPI's contract identifies phone numbers by UUID; any other id (e.g. one typed in by hand)
    // names nothing there and would only be refused. Like a 404: nothing to remove.
    if (!VAPI_ID.test(id)) return;
    await deleteIgnoringGone(() => this.call(() => this.client.phoneNumbers.delete({ id })));
  }

  private call<T>(run: () => Promise<T>): Promise<T> {
    return callProvider(run, toProviderError);
  }
}

function toProviderError(error: unknown): ProviderError {
  // A timed-out request surfaces as VapiTimeoutError or as a VapiError without status saying "timeout".
  const timedOut = error instanceof VapiTimeoutError || (error instanceof VapiError && error.statusCode === undefined && /timeout|timed out|aborted/i.test(error.message));
  if (timedOut) return new ProviderError('vapi', 'unknown', 'timeout', 'VAPI did not answer in time');
  if (error instanceof VapiError && error.statusCode !== undefined) {
    const body = error.body as { message?: unknown } | undefined;
    const detail = Array.isArray(body?.message) ? body.message.join('; ') : typeof body?.message === 'string' ? body.message : error.message;
    const cause = error.statusCode >= 500 ? 'server_error' : 'client_error';
    return new ProviderError('vapi', outcomeOfStatus(error.statusCode), cause, String(detail).slice(0, 300), error.statusCode);
  }
  return new ProviderError('vapi', 'unknown', 'network', 'VAPI connection failed');
}
