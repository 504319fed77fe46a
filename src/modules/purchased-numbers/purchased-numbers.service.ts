import { Injectable } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { Page, PageRequest } from '../../common/pagination/paginate';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/principal';
import { DirectoryService } from '../directory/directory.service';
import { RealtorEntity } from '../directory/entities/realtor.entity';
import { PurchasedPhoneNumberEntity } from '../numbers/entities/purchased-phone-number.entity';
import { NumberFilter } from '../numbers/numbers.repository';
import { AddedNumber, NumbersService } from '../numbers/numbers.service';
import { AddPurchasedNumberDto } from './dto/purchased-number.dto';

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
