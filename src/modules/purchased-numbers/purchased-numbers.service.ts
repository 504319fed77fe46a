import { Injectable } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { Page, PageRequest } from '../../common/pagination/paginate';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../../common/auth/principal';
import { DirectoryService } from '../directory/directory.service';
import { RealtorEntity } from '../directory/entities/realtor.entity';
import { PurchasedPhoneNumberEntity } from '../numbers/entities/purchased-phone-number.entity';
import { NumberFilter } from '../numbers/numbers.repository';
import { AddedNumber, NumbersService } from '../numbers/numbers.service';
import { AddPurchasedNumberDto } from './dto/purchased-number.dto';
import { NumbersRejectedError } from './purchased-numbers.errors';
import type { FieldError } from '../../common/errors/domain-error';
import { NotFoundError } from '../../common/errors/domain-error';

/** The tech team's and the dashboard's use cases on the numbers we own; each audited change is one transaction. */
@Injectable()
export class PurchasedNumbersService {
  constructor(
    private readonly numbers: NumbersService,
    private readonly directory: DirectoryService,
    private readonly audit: AuditService,
  ) {}

  /** The guide's "add purchased number": record it available and fulfil the PM's pending requests. */
  @Transactional()
  async addPurchased(dto: AddPurchasedNumberDto, actor: Actor): Promise<AddedNumber> {
    const added = await this.numbers.add({
      propertyManagerId: dto.property_manager_id,
      phoneNumber: dto.phone_number,
      twilioSid: dto.twilio_sid,
      vapiPhoneNumberId: dto.vapi_phone_number_id,
      notes: dto.notes,
    });
    await this.audit.record(actor, {
      action: 'purchased_number.add',
      targetType: 'purchased_phone_number',
      targetId: added.number.id,
      details: { phone_number: added.number.phoneNumber, fulfilled_request_ids: added.fulfilledRequestIds },
    });
    return added;
  }

  /**
   * Many numbers at once (`POST /admin/add-purchased-numbers`), all or nothing: every item is
   * checked first (PM exists; phone, SID and VAPI id unused, here and within the request) and any
   * refusal names each item (`index`, `field`, `code`); otherwise each is added exactly as one
   * `add-purchased-number` (pending requests fulfilled, one audit record each), in one transaction.
   */
  @Transactional()
  async addManyPurchased(items: AddPurchasedNumberDto[], actor: Actor): Promise<AddedNumber[]> {
    const errors: FieldError[] = [];
    const seen = new Map<string, number>();
    const clash = new Map<string, string>();
    const existing = await this.numbers.findForImport({
      ids: [],
      phones: items.map((i) => i.phone_number),
      sids: items.flatMap((i) => (i.twilio_sid ? [i.twilio_sid] : [])),
      vapiIds: items.flatMap((i) => (i.vapi_phone_number_id ? [i.vapi_phone_number_id] : [])),
      realtorHolders: [],
      propertyManagerHolders: [],
    });
    for (const n of existing) {
      clash.set(`phone_number:${n.phone_number}`, `number ${n.id}`);
      clash.set(`twilio_sid:${n.twilio_sid}`, `number ${n.id}`);
      if (n.vapi_phone_number_id) clash.set(`vapi_phone_number_id:${n.vapi_phone_number_id}`, `number ${n.id}`);
    }
    const missingPms = new Set<number>();
    for (const pmId of new Set(items.map((i) => i.property_manager_id))) {
      await this.directory.requirePropertyManager(pmId).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) throw error;
        missingPms.add(pmId);
      });
    }
    items.forEach((item, index) => {
      if (missingPms.has(item.property_manager_id)) {
        errors.push({ index, field: 'property_manager_id', code: 'property_manager_not_found', message: `Property manager ${item.property_manager_id} does not exist.` });
      }
      for (const field of ['phone_number', 'twilio_sid', 'vapi_phone_number_id'] as const) {
        const value = item[field];
        if (!value) continue;
        const key = `${field}:${value}`;
        if (clash.has(key)) errors.push({ index, field, code: `${field}_exists`, message: `${field} ${value} is already ${clash.get(key)}.` });
        else if (seen.has(key)) errors.push({ index, field, code: 'duplicate_in_request', message: `${field} ${value} is also item ${seen.get(key)}.` });
        else seen.set(key, index);
      }
    });
    if (errors.length) throw new NumbersRejectedError(new Set(errors.map((e) => e.index)).size, items.length, errors);
    const added: AddedNumber[] = [];
    for (const item of items) added.push(await this.addPurchased(item, actor));
    return added;
  }

  list(filter: NumberFilter, page: PageRequest): Promise<Page<PurchasedPhoneNumberEntity>> {
    return this.numbers.list(filter, page);
  }

  /** What the dashboard shows a PM: their numbers and their realtors. */
  async overviewFor(propertyManagerId: number): Promise<{ numbers: PurchasedPhoneNumberEntity[]; realtors: RealtorEntity[] }> {
    const [numbers, realtors] = await Promise.all([this.numbers.ownedBy(propertyManagerId), this.directory.allRealtorsOf(propertyManagerId)]);
    return { numbers, realtors };
  }

  @Transactional()
  async deactivate(id: number, actor: Actor): Promise<PurchasedPhoneNumberEntity> {
    const { number, previousStatus } = await this.numbers.deactivate(id);
    await this.audit.record(actor, {
      action: 'purchased_number.deactivate',
      targetType: 'purchased_phone_number',
      targetId: id,
      details: { previous_status: previousStatus },
    });
    return number;
  }

  @Transactional()
  async reactivate(id: number, actor: Actor): Promise<PurchasedPhoneNumberEntity> {
    const number = await this.numbers.reactivate(id);
    await this.audit.record(actor, { action: 'purchased_number.reactivate', targetType: 'purchased_phone_number', targetId: id });
    return number;
  }
}
