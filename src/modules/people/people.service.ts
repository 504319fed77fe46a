import { Injectable } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import type { Actor } from '../../common/auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { DirectoryService } from '../directory/directory.service';
import { PropertyManagerEntity } from '../directory/entities/property-manager.entity';
import { RealtorEntity } from '../directory/entities/realtor.entity';
import { NumberStatus } from '../numbers/entities/purchased-phone-number.entity';
import { NumbersService } from '../numbers/numbers.service';
import { PhoneRequestsService } from '../phone-requests/phone-requests.service';
import { NumberReleaseService } from '../purchases/number-release.service';
import { PurchasesService } from '../purchases/purchases.service';
import { PurchaseInProgressForPropertyManagerError } from './people.errors';

export interface PropertyManagerDetail {
  pm: PropertyManagerEntity;
  realtors: number;
  numbers: Record<NumberStatus, number>;
  pendingRequests: number;
}

export interface RealtorRemoval {
  realtor: RealtorEntity;
  freedNumberId: number | null;
}

export interface ReleaseFailure {
  numberId: number;
  phoneNumber: string;
  code: string;
  detail: string;
}

export interface Offboarding {
  pm: PropertyManagerEntity;
  cancelledRequestIds: number[];
  removedRealtorIds: number[];
  deactivatedNumberIds: number[];
  releasedNumberIds: number[];
  releaseFailures: ReleaseFailure[];
  complete: boolean;
}

/**
 * People leaving: a realtor removed by their PM, a PM offboarded by an admin. Nobody is deleted
 * (history and audit keep naming them); what they held is freed in the same transaction, and the
 * database refuses a number held by someone who left.
 *
 * What an offboarded PM keeps: their row, numbers (inactive or released) and history, readable by
 * admins (`GET /admin/property-managers/{id}`, the number and request lists, the audit log).
 * What stops: their dashboard login (and their realtors'), new numbers, purchases and assignments
 * for them (409 `property_manager_offboarded`), the chatbot answering for their numbers. Admins may
 * still edit their name/email/company.
 */
@Injectable()
export class PeopleService {
  constructor(
    private readonly directory: DirectoryService,
    private readonly numbers: NumbersService,
    private readonly requests: PhoneRequestsService,
    private readonly purchases: PurchasesService,
    private readonly releases: NumberReleaseService,
    private readonly audit: AuditService,
  ) {}

  /** A PM removes one of their realtors: the number they hold becomes available, in the same transaction. */
  @Transactional()
  async removeRealtor(propertyManagerId: number, realtorId: number): Promise<RealtorRemoval> {
    // Lock order: the person, then numbers.
    const realtor = await this.directory.requireRealtorOf(propertyManagerId, realtorId, { lock: true });
    const freed = await this.numbers.freeHeldBy(propertyManagerId, realtorId);
    await this.directory.markRealtorRemoved(realtor);
    return { realtor, freedNumberId: freed?.id ?? null };
  }

  @Transactional()
  async propertyManagerDetail(id: number): Promise<PropertyManagerDetail> {
    const pm = await this.directory.requirePropertyManager(id);
    return {
      pm,
      realtors: await this.directory.countRealtorsOf(id),
      numbers: await this.numbers.countByStatus(id),
      pendingRequests: await this.requests.countPending(id),
    };
  }

  /**
   * The PM leaves. One transaction cancels their pending requests, takes their numbers out of
   * service, removes their realtors and marks them offboarded; then, with `releaseNumbers`, each
   * number still held at the providers is released in its own transaction (the path of
   * `/admin/purchased-numbers/{id}/release`), so one failure loses nothing done before it.
   * Running it again continues where it stopped: numbers already released are skipped.
   */
  async offboard(id: number, releaseNumbers: boolean, actor: Actor): Promise<Offboarding> {
    if (releaseNumbers) this.releases.assertConfigured();
    const settled = await this.settleOffboarding(id, releaseNumbers, actor);
    const releasedNumberIds: number[] = [];
    const releaseFailures: ReleaseFailure[] = [];
    if (releaseNumbers) {
      for (const number of await this.numbers.ownedBy(id)) {
        if (number.releasedAt) continue;
        try {
          await this.releases.release(number.id, actor);
          releasedNumberIds.push(number.id);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          releaseFailures.push({ numberId: number.id, phoneNumber: number.phoneNumber, code: error.code, detail: error.message });
          await this.audit.record(actor, {
            action: 'purchased_number.release',
            targetType: 'purchased_phone_number',
            targetId: number.id,
            outcome: 'failure',
            details: { during: 'property_manager.offboard', code: error.code },
          });
        }
      }
    }
    return { ...settled, releasedNumberIds, releaseFailures, complete: releaseFailures.length === 0 };
  }

  @Transactional()
  private async settleOffboarding(id: number, releaseNumbers: boolean, actor: Actor): Promise<Omit<Offboarding, 'releasedNumberIds' | 'releaseFailures' | 'complete'>> {
    // The PM's row lock serialises this with adding, buying and assigning numbers for them.
    const pm = await this.directory.requirePropertyManager(id, { lock: true });
    if (await this.purchases.inProgressFor(id)) throw new PurchaseInProgressForPropertyManagerError(id);
    const realtors = await this.directory.allRealtorsOf(id, { lock: true });
    const cancelledRequestIds = await this.requests.cancelAllPending(id);
    const deactivatedNumberIds = await this.numbers.deactivateAllOf(id);
    const now = new Date();
    for (const realtor of realtors) await this.directory.markRealtorRemoved(realtor, now);
    const wasOffboarded = pm.offboardedAt !== null;
    await this.directory.markOffboarded(pm, now);
    await this.audit.record(actor, {
      action: 'property_manager.offboard',
      targetType: 'property_manager',
      targetId: id,
      details: {
        release_numbers: releaseNumbers,
        already_offboarded: wasOffboarded,
        cancelled_request_ids: cancelledRequestIds,
        removed_realtor_ids: realtors.map((r) => r.id),
        deactivated_number_ids: deactivatedNumberIds,
      },
    });
    return { pm, cancelledRequestIds, removedRealtorIds: realtors.map((r) => r.id), deactivatedNumberIds };
  }
}
