import { Injectable, Logger } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import type { Principal } from '../../common/auth/principal';
import { InvalidInputError, RateLimitedError } from '../../common/errors/domain-error';
import { Page, PageRequest } from '../../common/pagination/paginate';
import { AppConfig } from '../../config/app-config';
import { RealtorNotFoundError } from '../directory/directory.errors';
import { DirectoryService } from '../directory/directory.service';
import { NumbersService } from '../numbers/numbers.service';
import { SmsProvider } from '../providers/sms-provider';
import { CARRIERS, Carrier, findCarrier } from './carriers';
import { CallForwardingRepository, EventFilter, Person } from './call-forwarding.repository';
import { CallForwardingEventEntity } from './entities/call-forwarding-event.entity';
import { CallForwardingStateEntity } from './entities/call-forwarding-state.entity';
import { applyForwardingChange, ConfirmationStatus, ForwardingChange } from './forwarding-rules';

/** More than this many changes for one person within an hour is refused (ORIGIN.md). */
export const CHANGES_PER_HOUR = 10;

export interface ForwardingView {
  person: Person;
  /** The number assigned to the person now, or null. */
  number: string | null;
  state: CallForwardingStateEntity | null;
}

export interface ForwardingUpdate extends ForwardingChange {
  realtorId?: number;
}

/**
 * A PM or realtor forwards their own mobile line to the number assigned to them. A PM may act
 * for their own realtors (a realtor of another PM, or a removed one, is 404); a realtor only for
 * themselves. State lives on one row per person; a change and its event are one transaction, and
 * the hourly limit is counted under the person's row lock, so concurrent changes cannot exceed it.
 */
@Injectable()
export class CallForwardingService {
  private readonly logger = new Logger(CallForwardingService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: CallForwardingRepository,
    private readonly directory: DirectoryService,
    private readonly numbers: NumbersService,
    private readonly sms: SmsProvider,
  ) {}

  carriers(): readonly Carrier[] {
    return CARRIERS;
  }

  @Transactional()
  async view(principal: Principal, realtorId?: number): Promise<ForwardingView> {
    const person = await this.resolve(principal, realtorId, false);
    return this.viewOf(person);
  }

  async update(principal: Principal, change: ForwardingUpdate): Promise<ForwardingView> {
    const { realtorId, ...fields } = change;
    if (Object.values(fields).every((value) => value === undefined)) {
      throw new InvalidInputError('no_fields', 'Give at least one of carrier, business_forwarding_enabled, after_hours_enabled, confirmation_status, failure_reason, notes.');
    }
    if (fields.carrier !== undefined) {
      const carrier = findCarrier(fields.carrier);
      if (!carrier) {
        throw new InvalidInputError('unknown_carrier', `Unknown carrier; use one of: ${CARRIERS.map((c) => c.name).join(', ')}.`, [
          { field: 'carrier', message: 'carrier must be one of GET /call-forwarding-carriers' },
        ]);
      }
      fields.carrier = carrier.name;
    }
    const view = await this.change(principal, realtorId, fields);
    if (fields.confirmationStatus === 'success' || fields.confirmationStatus === 'failure') await this.alert(view, fields.confirmationStatus);
    return view;
  }

  @Transactional()
  private async change(principal: Principal, realtorId: number | undefined, fields: ForwardingChange): Promise<ForwardingView> {
    // The person's row lock serialises their changes: the count below cannot be raced.
    const person = await this.resolve(principal, realtorId, true);
    const state = await this.repository.findOrCreate(person);
    const recent = await this.repository.recentEvents(state.id);
    if (recent.count >= CHANGES_PER_HOUR) throw new RateLimitedError(recent.retryAfterSeconds);
    const action = applyForwardingChange(state, fields, new Date());
    await this.repository.save(state);
    const initiator = principal.realtorId !== undefined ? { type: 'realtor', id: principal.realtorId } : { type: 'property_manager', id: principal.propertyManagerId! };
    await this.repository.addEvent({
      stateId: state.id,
      action,
      initiatedByUserType: initiator.type,
      initiatedByUserId: initiator.id,
      metadata: metadataOf(fields),
    });
    return this.viewOf(person, state);
  }

  events(principal: Principal, page: PageRequest) {
    const filter: EventFilter = principal.realtorId !== undefined ? { realtorId: principal.realtorId } : { propertyManagerId: principal.propertyManagerId! };
    return this.repository.events(filter, page);
  }

  allEvents(filter: EventFilter, page: PageRequest): Promise<Page<{ event: CallForwardingEventEntity; state: CallForwardingStateEntity }>> {
    return this.repository.events(filter, page);
  }

  private async viewOf(person: Person, state?: CallForwardingStateEntity): Promise<ForwardingView> {
    const held = await this.numbers.findHeldBy({ propertyManagerId: person.propertyManagerId, ...(person.realtorId !== null ? { realtorId: person.realtorId } : {}) });
    return { person, number: held?.phoneNumber ?? null, state: state ?? (await this.repository.find(person)) };
  }

  /** Whom the call is about: the caller, or (for a PM) one of their current realtors. */
  private async resolve(principal: Principal, realtorId: number | undefined, lock: boolean): Promise<Person> {
    if (principal.realtorId !== undefined) {
      if (realtorId !== undefined && realtorId !== principal.realtorId) throw new RealtorNotFoundError(realtorId);
      const realtor = await this.directory.requireRealtorOf(principal.realtorPropertyManagerId!, principal.realtorId, { lock });
      return { propertyManagerId: realtor.propertyManagerId, realtorId: realtor.id };
    }
    const pmId = principal.propertyManagerId!;
    if (realtorId !== undefined) {
      await this.directory.requireRealtorOf(pmId, realtorId, { lock });
      return { propertyManagerId: pmId, realtorId };
    }
    await this.directory.requirePropertyManager(pmId, { lock });
    return { propertyManagerId: pmId, realtorId: null };
  }

  /** Texts operations about a confirmation or failure; never fails the request. */
  private async alert(view: ForwardingView, status: Extract<ConfirmationStatus, 'success' | 'failure'>): Promise<void> {
    const { to, from } = this.config.forwardingAlerts;
    if (!to || !from) return;
    const who = view.person.realtorId !== null ? `realtor ${view.person.realtorId}` : `property manager ${view.person.propertyManagerId}`;
    const body =
      status === 'success'
        ? `Call forwarding confirmed for ${who} (${view.state?.carrier ?? 'AT&T'}) to ${view.number ?? 'no number'}.`
        : `Call forwarding FAILED for ${who} (${view.state?.carrier ?? 'AT&T'}): ${view.state?.forwardingFailureReason ?? ''}`;
    try {
      await this.sms.send({ to, from, body });
    } catch (error) {
      this.logger.warn({ msg: `forwarding alert not sent: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
}

function metadataOf(fields: ForwardingChange): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (fields.carrier !== undefined) metadata.carrier = fields.carrier;
  if (fields.businessForwardingEnabled !== undefined) metadata.business_forwarding_enabled = fields.businessForwardingEnabled;
  if (fields.afterHoursEnabled !== undefined) metadata.after_hours_enabled = fields.afterHoursEnabled;
  if (fields.confirmationStatus !== undefined) metadata.confirmation_status = fields.confirmationStatus;
  if (fields.failureReason !== undefined) metadata.failure_reason = fields.failureReason;
  if (fields.notes !== undefined) metadata.notes = fields.notes;
  return metadata;
}
