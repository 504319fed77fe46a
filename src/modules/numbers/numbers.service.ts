import { Injectable } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { randomBytes } from 'node:crypto';
import { DomainEvents } from '../../database/domain-events';
import { Page, PageRequest } from '../../common/pagination/paginate';
import { DirectoryService } from '../directory/directory.service';
import { PropertyManagerEntity } from '../directory/entities/property-manager.entity';
import { PhoneRequestsService } from '../phone-requests/phone-requests.service';
import { NumberStatus, PurchasedPhoneNumberEntity } from './entities/purchased-phone-number.entity';
import { Assignee, EndedAssignment, NumberTransitions } from './number-transitions';
import { ImportedNumberRow, ImportLookup, NumberFilter, NumbersRepository } from './numbers.repository';
import { NoNumberAssignedError, NumberAlreadyRecordedError } from './numbers.errors';

export interface NewNumber {
  propertyManagerId: number;
  phoneNumber: string;
  twilioSid?: string;
  vapiPhoneNumberId?: string | null;
  notes?: string | null;
}

export interface AddedNumber {
  number: PurchasedPhoneNumberEntity;
  propertyManager: PropertyManagerEntity;
  fulfilledRequestIds: number[];
}

export interface AssignmentOutcome {
  number: PurchasedPhoneNumberEntity;
  freedNumberId: number | null;
}

/** SIDs we make up for numbers bought elsewhere; never mistakable for Twilio's `PN…`. */
export const generateLocalSid = () => `local-${randomBytes(16).toString('hex')}`;

/**
 * The one owner of a purchased number's life: every change of its status or holder happens here,
 * under the number's row lock, in the caller's transaction (or a new one), with the history of
 * assignments kept and the change announced to caches after commit. Other modules ask; none
 * writes number rows.
 *
 * A number has at most one holder and a holder at most one number; the database enforces both,
 * and `assign` keeps them true by freeing the holder's old number first. Lock order everywhere:
 * assignee (PM or realtor row), then numbers.
 */
@Injectable()
export class NumbersService {
  constructor(
    private readonly repository: NumbersRepository,
    private readonly directory: DirectoryService,
    private readonly requests: PhoneRequestsService,
    private readonly events: DomainEvents,
  ) {}

  /** Records a number as available for its PM and fulfils the PM's pending requests (the guide). */
  @Transactional()
  async add(input: NewNumber): Promise<AddedNumber> {
    // Locked like an assignment: an offboarding of the same PM waits, or this waits and refuses.
    const propertyManager = await this.directory.requireActivePropertyManager(input.propertyManagerId, { lock: true });
    const number = await this.repository.insert({
      propertyManagerId: input.propertyManagerId,
      phoneNumber: input.phoneNumber,
      twilioSid: input.twilioSid ?? generateLocalSid(),
      vapiPhoneNumberId: input.vapiPhoneNumberId ?? null,
      notes: input.notes ?? null,
    });
    const fulfilledRequestIds = await this.requests.fulfilPending(input.propertyManagerId, number.id);
    this.announce(number);
    return { number, propertyManager, fulfilledRequestIds };
  }

  /** Gives one of the PM's available numbers to the PM or one of their realtors; their old number is freed. */
  @Transactional()
  async assign(propertyManagerId: number, numberId: number, to: Assignee): Promise<AssignmentOutcome> {
    if (to.type === 'realtor') await this.directory.requireRealtorOf(propertyManagerId, to.realtorId, { lock: true });
    else await this.directory.requireActivePropertyManager(propertyManagerId, { lock: true });
    const number = await this.repository.lock(numberId, propertyManagerId);
    const now = new Date();
    NumberTransitions.assign(number, to, now); // checked before anything changes
    const previous = await this.repository.lockHeldBy(propertyManagerId, to);
    if (previous) {
      const ended = NumberTransitions.endAssignment(previous, 'reassigned', now);
      await this.repository.save(previous, ended);
      this.announce(previous);
    }
    await this.repository.save(number);
    this.announce(number);
    return { number, freedNumberId: previous?.id ?? null };
  }

  /** Frees one of the PM's assigned numbers; it becomes available again. */
  @Transactional()
  async unassign(propertyManagerId: number, numberId: number): Promise<PurchasedPhoneNumberEntity> {
    const number = await this.repository.lock(numberId, propertyManagerId);
    return this.change(number, NumberTransitions.unassign(number, new Date()));
  }

  /** Takes a number out of service (`inactive`); its assignment, if any, ends. */
  @Transactional()
  async deactivate(id: number): Promise<{ number: PurchasedPhoneNumberEntity; previousStatus: string }> {
    const number = await this.repository.lock(id);
    const previousStatus = number.status;
    await this.change(number, NumberTransitions.deactivate(number, new Date()));
    return { number, previousStatus };
  }

  /** Puts an inactive number back in service (`available`); a released one cannot return. */
  @Transactional()
  async reactivate(id: number): Promise<PurchasedPhoneNumberEntity> {
    const number = await this.repository.lock(id);
    NumberTransitions.reactivate(number);
    return this.change(number);
  }

  /**
   * Gives a number back to its providers and records it released (inactive, kept for history).
   * `giveBack` runs while the row is locked, so two concurrent releases call the providers once:
   * the second waits, then finds the number released. If `giveBack` throws, nothing here changes.
   * (The lock holds one connection for the providers' answer; releases are rare admin actions.)
   */
  @Transactional()
  async release(id: number, giveBack: (number: PurchasedPhoneNumberEntity) => Promise<void>): Promise<{ number: PurchasedPhoneNumberEntity; previousStatus: string }> {
    const number = await this.repository.lock(id);
    NumberTransitions.assertReleasable(number);
    const previousStatus = number.status;
    await giveBack(number);
    await this.change(number, NumberTransitions.recordRelease(number, new Date()));
    return { number, previousStatus };
  }

  /**
   * Records a number Twilio holds but we had no row for, with its real SID (and VAPI id), for a
   * PM, fulfilling their pending requests as `add` does. Adopting the same number (same SID) for
   * the same PM again returns the existing row (`adopted: false`); anything else already recorded
   * under that phone number is a conflict.
   */
  @Transactional()
  async adopt(input: NewNumber & { twilioSid: string }): Promise<AddedNumber & { adopted: boolean }> {
    const existing = await this.repository.findByPhoneNumber(input.phoneNumber);
    if (existing) {
      if (existing.twilioSid !== input.twilioSid || existing.propertyManagerId !== input.propertyManagerId || existing.releasedAt) {
        throw new NumberAlreadyRecordedError(input.phoneNumber, existing.id);
      }
      const propertyManager = await this.directory.requirePropertyManager(input.propertyManagerId);
      return { number: existing, propertyManager, fulfilledRequestIds: [], adopted: false };
    }
    return { ...(await this.add(input)), adopted: true };
  }

  /**
   * Brings a number's row in line with its providers while its row is locked: `fix` runs the
   * provider calls (so concurrent repairs of one number call them once, the second finding nothing
   * left to do) and says what the row must record: the VAPI registration it now has, or that
   * Twilio no longer holds it (then it is recorded released: inactive, `released_at` set, with
   * `goneReason` kept in its notes). A released number has nothing to repair: `fix` is not called.
   * If `fix` throws, the row does not change.
   */
  @Transactional()
  async repair<T extends { vapiPhoneNumberId?: string; goneReason?: string }>(
    id: number,
    fix: (number: PurchasedPhoneNumberEntity) => Promise<T>,
  ): Promise<{ number: PurchasedPhoneNumberEntity; outcome: T; changed: boolean }> {
    const number = await this.repository.lock(id);
    if (number.releasedAt) return { number, outcome: {} as T, changed: false };
    const outcome = await fix(number);
    let changed = false;
    let ended: EndedAssignment | undefined;
    if (outcome.goneReason) {
      const gone = NumberTransitions.markGone(number, new Date());
      if (gone.changed) {
        ended = gone.ended;
        number.notes = [number.notes, `[inactive: ${outcome.goneReason}]`].filter(Boolean).join(' ');
        changed = true;
      }
    }
    if (outcome.vapiPhoneNumberId !== undefined && outcome.vapiPhoneNumberId !== number.vapiPhoneNumberId) {
      number.vapiPhoneNumberId = outcome.vapiPhoneNumberId;
      changed = true;
    }
    if (changed) await this.change(number, ended);
    return { number, outcome, changed };
  }

  /**
   * Writes numbers brought in by the legacy import, ids kept, in bulk, in the caller's transaction.
   * The rows are already consistent (the importer's cleaning rules, `assertImportable`); the
   * database's checks and unique indexes guard the rest. `replacing`: ids of rows being overwritten.
   */
  @Transactional()
  async importMany(rows: ImportedNumberRow[], replacing: number[]): Promise<void> {
    for (const row of rows) NumberTransitions.assertImportable(row);
    await this.repository.importMany(rows, replacing);
    const phones = rows.map((r) => r.phone_number);
    const vapiIds = rows.flatMap((r) => (r.vapi_phone_number_id ? [r.vapi_phone_number_id] : []));
    if (rows.length) this.events.publish({ t: 'number', p: phones, v: vapiIds });
  }

  /** Numbers with these ids, phones, SIDs or VAPI ids, as the legacy import compares them. */
  findForImport(lookup: ImportLookup): Promise<ImportedNumberRow[]> {
    return this.repository.findForImport(lookup);
  }

  /** Every number, for the inventory check. */
  all(): Promise<PurchasedPhoneNumberEntity[]> {
    return this.repository.all();
  }

  /**
   * A realtor is leaving: the number they hold, if any, becomes available (history: `removed`).
   * The caller holds the realtor's row lock (person first, then numbers).
   */
  @Transactional()
  async freeHeldBy(propertyManagerId: number, realtorId: number): Promise<PurchasedPhoneNumberEntity | null> {
    const number = await this.repository.lockHeldBy(propertyManagerId, { type: 'realtor', realtorId });
    if (!number) return null;
    return this.change(number, NumberTransitions.freeFromHolder(number, 'removed', new Date()));
  }

  /**
   * A PM is leaving: every number of theirs still in service becomes inactive, its assignment
   * ending. Numbers already inactive are left as they are. Returns the ids it changed.
   */
  @Transactional()
  async deactivateAllOf(propertyManagerId: number): Promise<number[]> {
    const now = new Date();
    const changed: number[] = [];
    for (const number of await this.repository.lockAllOwnedBy(propertyManagerId)) {
      const outcome = NumberTransitions.retire(number, now);
      if (!outcome.changed) continue;
      await this.change(number, outcome.ended);
      changed.push(number.id);
    }
    return changed;
  }

  countByStatus(propertyManagerId: number): Promise<Record<NumberStatus, number>> {
    return this.repository.countByStatus(propertyManagerId);
  }

  /** The number assigned now to a PM, or null (the call-forwarding codes are built from it). */
  findHeldBy(holder: { propertyManagerId: number; realtorId?: number }): Promise<PurchasedPhoneNumberEntity | null> {
    const assignee: Assignee = holder.realtorId !== undefined ? { type: 'realtor', realtorId: holder.realtorId } : { type: 'property_manager' };
    return this.repository.findHeldBy(holder.propertyManagerId, assignee);
  }

  /** The number assigned now to a PM (themselves) or a realtor. */
  async heldBy(holder: { propertyManagerId: number; realtorId?: number }): Promise<PurchasedPhoneNumberEntity> {
    const assignee: Assignee = holder.realtorId !== undefined ? { type: 'realtor', realtorId: holder.realtorId } : { type: 'property_manager' };
    const number = await this.repository.findHeldBy(holder.propertyManagerId, assignee);
    if (!number) throw new NoNumberAssignedError();
    return number;
  }

  list(filter: NumberFilter, page: PageRequest): Promise<Page<PurchasedPhoneNumberEntity>> {
    return this.repository.page(filter, page);
  }

  ownedBy(propertyManagerId: number): Promise<PurchasedPhoneNumberEntity[]> {
    return this.repository.ownedBy(propertyManagerId);
  }

  private async change(number: PurchasedPhoneNumberEntity, ended?: EndedAssignment): Promise<PurchasedPhoneNumberEntity> {
    await this.repository.save(number, ended);
    this.announce(number);
    return number;
  }

  /** Who answers this number may have changed: cached lookups of it go, after commit. */
  private announce(number: PurchasedPhoneNumberEntity): void {
    this.events.publish({ t: 'number', p: [number.phoneNumber], v: number.vapiPhoneNumberId ? [number.vapiPhoneNumberId] : [] });
  }
}
