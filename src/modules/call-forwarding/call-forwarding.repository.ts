import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EntityManager, In, IsNull } from 'typeorm';
import { Page, PageRequest, paginate } from '../../common/pagination/paginate';
import { CallForwardingEventEntity } from './entities/call-forwarding-event.entity';
import { CallForwardingStateEntity } from './entities/call-forwarding-state.entity';

export interface Person {
  propertyManagerId: number;
  /** null: the PM themselves. */
  realtorId: number | null;
}

export interface EventFilter {
  propertyManagerId?: number;
  realtorId?: number;
}

/** Every read and write of forwarding states and events, in the transaction the call runs in. */
@Injectable()
export class CallForwardingRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get manager(): EntityManager {
    return this.txHost.tx;
  }

  find(person: Person): Promise<CallForwardingStateEntity | null> {
    return this.manager.findOne(CallForwardingStateEntity, {
      where: person.realtorId === null ? { propertyManagerId: person.propertyManagerId, realtorId: IsNull() } : { realtorId: person.realtorId },
    });
  }

  /** The person's state row, created (all off) when they have none. The caller holds the person's row lock. */
  async findOrCreate(person: Person): Promise<CallForwardingStateEntity> {
    const existing = await this.find(person);
    if (existing) return existing;
    return this.manager.save(this.manager.create(CallForwardingStateEntity, { propertyManagerId: person.propertyManagerId, realtorId: person.realtorId }));
  }

  /** Events of the state in the last hour, and when the oldest of them was made (database clock). */
  async recentEvents(stateId: number): Promise<{ count: number; retryAfterSeconds: number }> {
    const [row] = (await this.manager.query(
      `SELECT count(*)::int AS count,
              COALESCE(ceil(extract(epoch FROM min(created_at) + interval '1 hour' - clock_timestamp())), 0)::int AS retry_after
         FROM call_forwarding_events
        WHERE state_id = $1 AND created_at > clock_timestamp() - interval '1 hour'`,
      [stateId],
    )) as Array<{ count: number; retry_after: number }>;
    return { count: row.count, retryAfterSeconds: Math.max(1, row.retry_after) };
  }

  save(state: CallForwardingStateEntity): Promise<CallForwardingStateEntity> {
    return this.manager.save(state);
  }

  async addEvent(event: Pick<CallForwardingEventEntity, 'stateId' | 'action' | 'initiatedByUserType' | 'initiatedByUserId' | 'metadata'>): Promise<void> {
    await this.manager.insert(CallForwardingEventEntity, event as object);
  }

  /** Events newest first, with the state each belongs to (who it was about). */
  async events(filter: EventFilter, page: PageRequest): Promise<Page<{ event: CallForwardingEventEntity; state: CallForwardingStateEntity }>> {
    const query = this.manager.getRepository(CallForwardingEventEntity).createQueryBuilder('event');
    if (filter.propertyManagerId !== undefined || filter.realtorId !== undefined) {
      query.innerJoin(CallForwardingStateEntity, 'state', 'state.id = event.state_id');
      if (filter.propertyManagerId !== undefined) query.andWhere('state.property_manager_id = :pm', { pm: filter.propertyManagerId });
      if (filter.realtorId !== undefined) query.andWhere('state.realtor_id = :realtor', { realtor: filter.realtorId });
    }
    const page_ = await paginate(query, page, { direction: 'DESC' });
    const stateIds = [...new Set(page_.items.map((e) => e.stateId))];
    const states = stateIds.length ? await this.manager.find(CallForwardingStateEntity, { where: { id: In(stateIds) } }) : [];
    const byId = new Map(states.map((s) => [s.id, s]));
    return { items: page_.items.map((event) => ({ event, state: byId.get(event.stateId)! })), nextCursor: page_.nextCursor };
  }
}
