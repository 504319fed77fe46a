import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { OwnerLookupService, ResolvedOwner } from './owner-lookup.service';

/** Spoken to the caller by VAPI when nobody owns the number they called. */
export const NO_OWNER_MESSAGE = 'Sorry, this number is not in service right now. Please try again later.';
const NOT_CONFIGURED_MESSAGE = 'Sorry, this line is not set up yet. Please try again later.';
const ACKNOWLEDGED = '{"received":true}';

interface VapiMessage {
  type?: unknown;
  call?: { phoneNumberId?: unknown; phoneNumber?: { number?: unknown } };
  phoneNumber?: { number?: unknown; id?: unknown };
}

/**
 * VAPI server messages. Only `assistant-request` needs an answer (the assistant and the owner's
 * data, within VAPI's 7.5 s); every other type is acknowledged. Payloads carry many more fields
 * than we read: they are ignored, never refused.
 */
@Injectable()
export class VapiWebhookService {
  private readonly logger = new Logger(VapiWebhookService.name);
  private readonly notConfigured = JSON.stringify({ error: NOT_CONFIGURED_MESSAGE });
  private readonly noOwner = JSON.stringify({ error: NO_OWNER_MESSAGE });

  constructor(
    private readonly config: AppConfig,
    private readonly lookup: OwnerLookupService,
  ) {}

  /** The JSON answer for one webhook body. */
  handle(body: unknown): string | Promise<string> {
    const message = isObject(body) && isObject(body.message) ? (body.message as VapiMessage) : undefined;
    if (message?.type !== 'assistant-request') return ACKNOWLEDGED;

    const vapiId = stringOrUndefined(message.call?.phoneNumberId) ?? stringOrUndefined(message.phoneNumber?.id);
    const number = stringOrUndefined(message.phoneNumber?.number) ?? stringOrUndefined(message.call?.phoneNumber?.number);
    const byId = vapiId ? this.lookup.byVapiId(vapiId) : undefined;
    if (byId instanceof ResolvedOwner) return this.answer(byId, vapiId, number);
    return Promise.resolve(byId).then(async (owner) => this.answer(owner ?? (number ? await this.lookup.findByPhone(number) : undefined), vapiId, number));
  }

  private answer(owner: ResolvedOwner | undefined, vapiId: string | undefined, number: string | undefined): string {
    if (!owner) {
      this.logger.warn(`assistant-request for a number nobody owns (VAPI id ${vapiId ?? '-'}, number ${number ?? '-'})`);
      return this.noOwner;
    }
    const assistantId = this.config.telephony.vapiAssistantId;
    if (!assistantId) {
      this.logger.error('assistant-request received but VAPI_ASSISTANT_ID is not set');
      return this.notConfigured;
    }
    return owner.assistantResponse(assistantId);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 128 ? value : undefined;
}
