import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Page, PageRequest, paginate } from '../../common/pagination/paginate';
import { CreatePhoneRequestDto } from './dto/phone-request.dto';
import { PhoneNumberRequestEntity, RequestStatus } from './entities/phone-number-request.entity';
import { PhoneRequestNotFoundError, RequestNotCancellableError } from './phone-requests.errors';

export interface RequestFilter {
  propertyManagerId?: number;
  status?: RequestStatus;
}

/** PMs asking for numbers; requests end fulfilled (a number arrived) or cancelled. */
@Injectable()
export class PhoneRequestsService {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  create(propertyManagerId: number, dto: CreatePhoneRequestDto): Promise<PhoneNumberRequestEntity> {
    const repository = this.txHost.tx.getRepository(PhoneNumberRequestEntity);
    return repository.save(
      repository.create({
        propertyManagerId,
        countryCode: dto.country_code ?? '+1',
        areaCode: dto.area_code ?? null,
        notes: dto.notes ?? null,
      }),
    );
  }

  list(filter: RequestFilter, page: PageRequest): Promise<Page<PhoneNumberRequestEntity>> {
    const query = this.txHost.tx.getRepository(PhoneNumberRequestEntity).createQueryBuilder('request');
    if (filter.propertyManagerId !== undefined) {
      query.andWhere('request.property_manager_id = :pm', { pm: filter.propertyManagerId });
    }
    if (filter.status !== undefined) query.andWhere('request.status = :status', { status: filter.status });
    return paginate(query, page);
  }

  /** Cancels one of the PM's own pending requests. */
  @Transactional()
  async cancel(propertyManagerId: number, requestId: number): Promise<PhoneNumberRequestEntity> {
    const manager = this.txHost.tx;
    const request = await manager.findOne(PhoneNumberRequestEntity, {
      where: { id: requestId, propertyManagerId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!request) throw new PhoneRequestNotFoundError(requestId);
    if (request.status !== 'pending') throw new RequestNotCancellableError(requestId, request.status);
    request.status = 'cancelled';
    request.cancelledAt = new Date();
    return manager.save(request);
  }

  /**
   * Marks every pending request of the PM fulfilled by `numberId`, inside the caller's
   * transaction (the guide: adding a number fulfils the PM's pending requests).
   */
  async fulfilPending(propertyManagerId: number, numberId: number): Promise<number[]> {
    const result = await this.txHost.tx
      .createQueryBuilder()
      .update(PhoneNumberRequestEntity)
      .set({ status: 'fulfilled', fulfilledAt: () => 'now()', fulfilledByNumberId: numberId })
      .where('property_manager_id = :propertyManagerId AND status = :pending', { propertyManagerId, pending: 'pending' })
      .returning('id')
      .execute();
    const rows = result.raw as Array<{ id: number }>;
    return rows.map((row) => row.id).sort((a, b) => a - b);
  }

  /** Cancels every pending request of the PM, in the caller's transaction (the PM is leaving). */
  async cancelAllPending(propertyManagerId: number): Promise<number[]> {
    const result = await this.txHost.tx
      .createQueryBuilder()
      .update(PhoneNumberRequestEntity)
      .set({ status: 'cancelled', cancelledAt: () => 'now()' })
      .where('property_manager_id = :propertyManagerId AND status = :pending', { propertyManagerId, pending: 'pending' })
      .returning('id')
      .execute();
    return (result.raw as Array<{ id: number }>).map((row) => row.id).sort((a, b) => a - b);
  }

  countPending(propertyManagerId: number): Promise<number> {
    return this.txHost.tx.count(PhoneNumberRequestEntity, { where: { propertyManagerId, status: 'pending' } });
  }
}
