import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EntityManager } from 'typeorm';
import { Page, PageRequest, paginateRows, SortKey } from '../../common/pagination/paginate';
import { NumberAssignmentHistoryEntity } from './entities/number-assignment-history.entity';
import { NumberStatus, PurchasedPhoneNumberEntity } from './entities/purchased-phone-number.entity';
import type { Assignee, EndedAssignment } from './number-transitions';
import { NumberNotFoundError } from './numbers.errors';

/** A number row as the legacy import writes it (snake_case, timestamps as ISO strings). */
export interface ImportedNumberRow {
  id: number;
  property_manager_id: number;
  phone_number: string;
  twilio_sid: string;
  vapi_phone_number_id: string | null;
  status: NumberStatus;
  assigned_to_type: 'property_manager' | 'realtor' | null;
  assigned_realtor_id: number | null;
  assigned_at: string | null;
  notes: string | null;
  purchased_at: string | null;
}

export interface ImportLookup {
  ids: number[];
  phones: string[];
  sids: string[];
  vapiIds: string[];
  realtorHolders: number[];
  propertyManagerHolders: number[];
}

const IMPORT_BATCH = 5_000;

// The admin list is read at a high rate over up to millions of rows: one hand-written statement,
// rows made into entities directly (no query building or hydration per request).
const NUMBER_COLUMNS = `id, property_manager_id, phone_number, twilio_sid, vapi_phone_number_id, status, assigned_to_type,
  assigned_realtor_id, assigned_at, notes, purchased_at, released_at`;
const BY_ID: SortKey<PurchasedPhoneNumberEntity>[] = [{ column: 'id', valueOf: (n) => String(n.id), pattern: /^\d{1,18}$/ }];

interface NumberRow {
  id: number;
  property_manager_id: number;
  phone_number: string;
  twilio_sid: string;
  vapi_phone_number_id: string | null;
  status: NumberStatus;
  assigned_to_type: PurchasedPhoneNumberEntity['assignedToType'];
  assigned_realtor_id: number | null;
  assigned_at: Date | null;
  notes: string | null;
  purchased_at: Date;
  released_at: Date | null;
}

function toEntity(row: NumberRow): PurchasedPhoneNumberEntity {
  const number = new PurchasedPhoneNumberEntity();
  number.id = row.id;
  number.propertyManagerId = row.property_manager_id;
  number.phoneNumber = row.phone_number;
  number.twilioSid = row.twilio_sid;
  number.vapiPhoneNumberId = row.vapi_phone_number_id;
  number.status = row.status;
  number.assignedToType = row.assigned_to_type;
  number.assignedRealtorId = row.assigned_realtor_id;
  number.assignedAt = row.assigned_at;
  number.notes = row.notes;
  number.purchasedAt = row.purchased_at;
  number.releasedAt = row.released_at;
  return number;
}

export interface NumberFilter {
  propertyManagerId?: number;
  status?: NumberStatus;
}

/**
 * Every read and write of number rows and their assignment history, in the transaction the call
 * runs in. The only code that writes `purchased_phone_numbers`.
 */
@Injectable()
export class NumbersRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get manager(): EntityManager {
    return this.txHost.tx;
  }

  /**
   * The one lock helper: the number's row, locked until the transaction ends. With `ownedBy`, a
   * number of another PM is "not found" (a PM never learns it exists).
   */
  async lock(id: number, ownedBy?: number): Promise<PurchasedPhoneNumberEntity> {
    const number = await this.manager.findOne(PurchasedPhoneNumberEntity, {
      where: ownedBy === undefined ? { id } : { id, propertyManagerId: ownedBy },
      lock: { mode: 'pessimistic_write' },
    });
    if (!number) throw new NumberNotFoundError(id);
    return number;
  }

  /** The number `assignee` of PM `propertyManagerId` holds now, locked; null when none. */
  lockHeldBy(propertyManagerId: number, assignee: Assignee): Promise<PurchasedPhoneNumberEntity | null> {
    return this.manager.findOne(PurchasedPhoneNumberEntity, {
      where: assignee.type === 'realtor' ? { assignedRealtorId: assignee.realtorId } : { propertyManagerId, assignedToType: 'property_manager' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  findHeldBy(propertyManagerId: number, assignee: Assignee): Promise<PurchasedPhoneNumberEntity | null> {
    return this.manager.findOne(PurchasedPhoneNumberEntity, {
      where: assignee.type === 'realtor' ? { assignedRealtorId: assignee.realtorId } : { propertyManagerId, assignedToType: 'property_manager' },
    });
  }

  insert(values: Pick<PurchasedPhoneNumberEntity, 'propertyManagerId' | 'phoneNumber' | 'twilioSid' | 'vapiPhoneNumberId' | 'notes'>): Promise<PurchasedPhoneNumberEntity> {
    return this.manager.save(this.manager.create(PurchasedPhoneNumberEntity, { ...values, status: 'available' }));
  }

  /** Saves a changed (locked) number and the assignment period its change ended, if any. */
  async save(number: PurchasedPhoneNumberEntity, ended?: EndedAssignment): Promise<void> {
    if (ended) await this.manager.insert(NumberAssignmentHistoryEntity, ended);
    await this.manager.save(number);
  }

  /**
   * Writes many numbers at once, ids given (the legacy import): batched `INSERT … SELECT FROM
   * json_populate_recordset … ON CONFLICT (id) DO UPDATE`, never a statement per row. The numbers in
   * `replacing` (existing rows being overwritten) first give up their holder, so holders can move
   * between them without tripping the one-number-per-holder indexes mid-statement.
   */
  async importMany(rows: ImportedNumberRow[], replacing: number[]): Promise<void> {
    if (replacing.length) {
      await this.manager.query(
        `UPDATE purchased_phone_numbers
            SET status = CASE WHEN status = 'assigned' THEN 'available' ELSE status END,
                assigned_to_type = NULL, assigned_realtor_id = NULL, assigned_at = NULL
          WHERE id = ANY($1::int[]) AND assigned_to_type IS NOT NULL`,
        [replacing],
      );
    }
    for (let start = 0; start < rows.length; start += IMPORT_BATCH) {
      await this.manager.query(
        `INSERT INTO purchased_phone_numbers
              (id, property_manager_id, phone_number, twilio_sid, vapi_phone_number_id, status,
               assigned_to_type, assigned_realtor_id, assigned_at, notes, purchased_at)
         SELECT id, property_manager_id, phone_number, twilio_sid, vapi_phone_number_id, status,
                assigned_to_type, assigned_realtor_id, assigned_at, notes, coalesce(purchased_at, now())
           FROM json_populate_recordset(NULL::purchased_phone_numbers, $1::json)
         ON CONFLICT (id) DO UPDATE SET
                property_manager_id = EXCLUDED.property_manager_id, phone_number = EXCLUDED.phone_number,
                twilio_sid = EXCLUDED.twilio_sid, vapi_phone_number_id = EXCLUDED.vapi_phone_number_id,
                status = EXCLUDED.status, assigned_to_type = EXCLUDED.assigned_to_type,
                assigned_realtor_id = EXCLUDED.assigned_realtor_id, assigned_at = EXCLUDED.assigned_at,
                notes = EXCLUDED.notes, purchased_at = EXCLUDED.purchased_at`,
        [JSON.stringify(rows.slice(start, start + IMPORT_BATCH))],
      );
    }
  }

  /** Current state of the numbers with these ids, phones, SIDs or VAPI ids, or held by these people (the legacy import's checks). */
  findForImport(q: ImportLookup): Promise<ImportedNumberRow[]> {
    return this.manager.query(
      `SELECT id, property_manager_id, phone_number, twilio_sid, vapi_phone_number_id, status, assigned_to_type,
              assigned_realtor_id, to_char(assigned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS assigned_at, notes,
              to_char(purchased_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS purchased_at
         FROM purchased_phone_numbers
        WHERE id = ANY($1::int[]) OR phone_number = ANY($2::text[]) OR twilio_sid = ANY($3::text[]) OR vapi_phone_number_id = ANY($4::text[])
           OR assigned_realtor_id = ANY($5::int[]) OR (assigned_to_type = 'property_manager' AND property_manager_id = ANY($6::int[]))`,
      [q.ids, q.phones, q.sids, q.vapiIds, q.realtorHolders, q.propertyManagerHolders],
    );
  }

  page(filter: NumberFilter, page: PageRequest): Promise<Page<PurchasedPhoneNumberEntity>> {
    return paginateRows(page, { direction: 'ASC', keys: BY_ID }, async (after, limit) => {
      const params: unknown[] = [];
      const where: string[] = [];
      const bind = (value: unknown) => `$${params.push(value)}`;
      if (filter.propertyManagerId !== undefined) where.push(`property_manager_id = ${bind(filter.propertyManagerId)}`);
      if (filter.status !== undefined) where.push(`status = ${bind(filter.status)}`);
      if (after) where.push(`id > ${bind(after[0])}`);
      const rows: NumberRow[] = await this.manager.query(
        `SELECT ${NUMBER_COLUMNS} FROM purchased_phone_numbers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${bind(limit)}`,
        params,
      );
      return rows.map(toEntity);
    });
  }

  findByPhoneNumber(phoneNumber: string): Promise<PurchasedPhoneNumberEntity | null> {
    return this.manager.findOne(PurchasedPhoneNumberEntity, { where: { phoneNumber } });
  }

  /** Every number, for comparing with the providers' inventories (read in one query). */
  all(): Promise<PurchasedPhoneNumberEntity[]> {
    return this.manager.find(PurchasedPhoneNumberEntity, { order: { id: 'ASC' } });
  }

  /** Every number of the PM, locked, in id order (one order for every caller: no deadlocks). */
  lockAllOwnedBy(propertyManagerId: number): Promise<PurchasedPhoneNumberEntity[]> {
    return this.manager.find(PurchasedPhoneNumberEntity, { where: { propertyManagerId }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
  }

  async countByStatus(propertyManagerId: number): Promise<Record<NumberStatus, number>> {
    const rows: Array<{ status: NumberStatus; count: string }> = await this.manager.query(
      `SELECT status, count(*) AS count FROM purchased_phone_numbers WHERE property_manager_id = $1 GROUP BY status`,
      [propertyManagerId],
    );
    const counts: Record<NumberStatus, number> = { available: 0, assigned: 0, inactive: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  ownedBy(propertyManagerId: number): Promise<PurchasedPhoneNumberEntity[]> {
    return this.manager.find(PurchasedPhoneNumberEntity, { where: { propertyManagerId }, order: { id: 'ASC' } });
  }
}
