import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AppConfig } from '../../config/app-config';
import { DomainEvents } from '../../database/domain-events';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { AuditService } from '../audit/audit.service';
import { ImportedNumberRow } from '../numbers/numbers.repository';
import { NumbersService } from '../numbers/numbers.service';
import { clean, CleanPlan, PlannedNumber, Problem, rowHash, TargetNumber } from './cleaning-rules';
import { readLegacySource } from './legacy-source.reader';
import { SOURCE_TABLES, SourceData, SourceTable } from './legacy-source';
import { emptySummary, ImportReport, TableCounts } from './legacy-import.report';

export interface ImportOptions {
  source: string | SourceData;
  schema?: string;
  dryRun?: boolean;
}

type Verdict = 'insert' | 'update' | 'unchanged' | 'conflict';

interface Bookkeeping {
  target_id: number;
  source_hash: string;
  target_hash: string;
}

/** The import was refused: nothing was written. `problems` names every row in the way. */
export class ImportRefused extends Error {
  constructor(
    message: string,
    readonly problems: Problem[],
  ) {
    super(message);
  }
}

class DryRunRollback extends Error {}

/** Numbers recovered from a person's `twilio_contact` get ids counted down from here (see README). */
const RECOVERED_ID_CEILING = 2_147_483_647;
const RECOVERED_ID_FLOOR = 2_000_000_000;

// What a re-run compares: the fields the import writes, never defaults the database fills.
const pmHash = (r: { name: string; email: string; auth_user_id: string | null; company_name: string | null }) =>
  rowHash([r.name, r.email, r.auth_user_id, r.company_name]);
const realtorHash = (r: { property_manager_id: number; name: string; email: string; auth_user_id: string | null }) =>
  rowHash([r.property_manager_id, r.name, r.email, r.auth_user_id]);
const numberHash = (r: TargetNumber) =>
  rowHash([r.property_manager_id, r.phone_number, r.twilio_sid, r.vapi_phone_number_id, r.status, r.assigned_to_type, r.assigned_realtor_id, r.assigned_at, r.notes]);
const requestHash = (r: {
  property_manager_id: number;
  country_code: string;
  area_code: string | null;
  status: string;
  notes: string | null;
  requested_at: string;
  fulfilled_at: string | null;
}) => rowHash([r.property_manager_id, r.country_code, r.area_code, r.status, r.notes, r.requested_at, r.fulfilled_at]);

const iso = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const BATCH = 5_000;

/**
 * Brings the old system's data in (ORIGIN.md; README "Switching over"): reads the source, applies
 * the cleaning rules, and writes everything in ONE transaction — or nothing: a blocking duplicate,
 * a row here under an imported id, or `dryRun` rolls it all back. Re-runnable: `legacy_import_rows`
 * remembers what each row looked like in the source and here.
 */
@Injectable()
export class LegacyImportService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly numbers: NumbersService,
    private readonly events: DomainEvents,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async run(options: ImportOptions): Promise<ImportReport> {
    const data = typeof options.source === 'string' ? await readLegacySource(options.source, options.schema ?? 'public') : options.source;
    const plan = clean(data, { defaultRegion: this.config.defaultPhoneRegion, now: new Date().toISOString() });
    if (plan.blocking.length) {
      throw new ImportRefused(`${new Set(plan.blocking.map((b) => `${b.table} ${b.source_id}`)).size} people share an email or auth_user_id this service requires unique`, plan.blocking);
    }
    let report: ImportReport | undefined;
    try {
      await this.txHost.withTransaction(async () => {
        report = await this.write(data, plan);
        if (options.dryRun) throw new DryRunRollback();
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
    report!.dryRun = options.dryRun === true;
    return report!;
  }

  private get q() {
    return this.txHost.tx;
  }

  private async write(data: SourceData, plan: CleanPlan): Promise<ImportReport> {
    // One import at a time; the service may keep running meanwhile.
    await this.q.query('LOCK TABLE legacy_import_rows IN EXCLUSIVE MODE');
    const book = new Map<string, Bookkeeping>();
    for (const row of (await this.q.query(`SELECT source_table, source_id, target_id, source_hash, target_hash FROM legacy_import_rows`)) as Array<Bookkeeping & { source_table: string; source_id: string }>) {
      book.set(`${row.source_table}:${row.source_id}`, row);
    }
    const summary = emptySummary();
    summary.propertymanager.read = data.propertyManagers.length;
    summary.realtor.read = data.realtors.length;
    summary.purchasedphonenumber.read = data.numbers.length;
    summary.phonenumberrequest.read = data.requests.length;
    summary.callforwardingevent.read = data.callForwardingEvents ?? 0;
    for (const table of SOURCE_TABLES) summary[table].skipped = plan.skipped[table];

    const collisions: Problem[] = [];
    const conflicts: Problem[] = [];
    const written = new Set<string>();
    const bookUpdates: Array<{ source_table: string; source_id: string; target_table: string; target_id: number; hash: string }> = [];

    /** Sorts rows of one table into insert / update / unchanged / conflict against the bookkeeping and what is here. */
    const classify = <T>(
      table: SourceTable,
      rows: Array<{ key: string; id: number | undefined; row: T; problemTable: SourceTable; problemId: number }>,
      current: Map<number, string>,
      hash: (row: T) => string,
    ) => {
      const verdicts = new Map<string, Verdict>();
      for (const r of rows) {
        const kept = book.get(r.key);
        const desired = hash(r.row);
        let verdict: Verdict;
        if (!kept) {
          if (r.id !== undefined && current.has(r.id)) {
            collisions.push({ table, source_id: r.problemId, problem: `this database already holds a ${targetTableOf(table)} row with id ${r.id} that was not imported from the source`, action: 'refused' });
          }
          verdict = 'insert';
        } else {
          const here = current.get(kept.target_id);
          const changedInSource = desired !== kept.source_hash;
          const changedHere = here !== kept.target_hash;
          if (!changedInSource) verdict = 'unchanged';
          else if (changedHere) {
            verdict = 'conflict';
            conflicts.push({
              table: r.problemTable,
              source_id: r.problemId,
              problem: `changed in the source and ${here === undefined ? 'deleted' : 'changed'} here since the last import`,
              action: 'kept as it is here (conflict)',
            });
          } else verdict = 'update';
        }
        verdicts.set(r.key, verdict);
        if (verdict === 'insert' || verdict === 'update') {
          written.add(`${r.problemTable}:${r.problemId}`);
          bookUpdates.push({ source_table: r.key.split(':')[0], source_id: r.key.split(':')[1], target_table: targetTableOf(table), target_id: r.id ?? -1, hash: desired });
        }
      }
      return verdicts;
    };
    const count = (table: SourceTable, verdicts: Map<string, Verdict>, recoveredKeys = new Set<string>()) => {
      for (const [key, v] of verdicts) {
        if (v === 'insert' && recoveredKeys.has(key)) summary[table].recovered++;
        else if (v === 'insert') summary[table].imported++;
        else if (v === 'update') summary[table].updated++;
        else if (v === 'unchanged') summary[table].unchanged++;
        else summary[table].conflicts++;
      }
    };

    // People.
    const pmIds = [...new Set([...plan.propertyManagers.map((p) => p.id), ...[...book].filter(([k]) => k.startsWith('propertymanager:')).map(([, b]) => b.target_id)])];
    const pmsHere = new Map<number, string>();
    for (const r of await this.q.query(`SELECT id, name, email, auth_user_id, company_name FROM property_managers WHERE id = ANY($1::int[])`, [pmIds])) pmsHere.set(r.id, pmHash(r));
    const pmVerdicts = classify(
      'propertymanager',
      plan.propertyManagers.map((p) => ({ key: `propertymanager:${p.id}`, id: p.id, row: p, problemTable: 'propertymanager' as const, problemId: p.id })),
      pmsHere,
      pmHash,
    );
    count('propertymanager', pmVerdicts);

    const realtorIds = [...new Set([...plan.realtors.map((p) => p.id), ...[...book].filter(([k]) => k.startsWith('realtor:')).map(([, b]) => b.target_id)])];
    const realtorsHere = new Map<number, string>();
    for (const r of await this.q.query(`SELECT id, property_manager_id, name, email, auth_user_id FROM realtors WHERE id = ANY($1::int[])`, [realtorIds])) realtorsHere.set(r.id, realtorHash(r));
    const realtorVerdicts = classify(
      'realtor',
      plan.realtors.map((p) => ({ key: `realtor:${p.id}`, id: p.id, row: p, problemTable: 'realtor' as const, problemId: p.id })),
      realtorsHere,
      realtorHash,
    );
    count('realtor', realtorVerdicts);

    // Numbers: recovered ones are found through the bookkeeping (their ids are ours).
    const numberKey = (n: PlannedNumber) => `${n.sourceTable}:${n.sourceId}`;
    for (const n of plan.numbers) if (n.id === undefined) n.id = book.get(numberKey(n))?.target_id;
    const numberIds = [...new Set([...plan.numbers.flatMap((n) => (n.id === undefined ? [] : [n.id])), ...[...book].filter(([k]) => k.includes('purchasedphonenumber') || k.includes('twilio_contact')).map(([, b]) => b.target_id)])];
    const assigned = plan.numbers.filter((n) => n.row.status === 'assigned');
    const numbersHereRows = await this.numbers.findForImport({
      ids: numberIds,
      phones: plan.numbers.map((n) => n.row.phone_number),
      sids: plan.numbers.map((n) => n.row.twilio_sid),
      vapiIds: plan.numbers.flatMap((n) => (n.row.vapi_phone_number_id ? [n.row.vapi_phone_number_id] : [])),
      realtorHolders: assigned.flatMap((n) => (n.row.assigned_realtor_id === null ? [] : [n.row.assigned_realtor_id])),
      propertyManagerHolders: assigned.filter((n) => n.row.assigned_to_type === 'property_manager').map((n) => n.row.property_manager_id),
    });
    const numberIdSet = new Set(numberIds);
    const numbersHere = new Map<number, string>();
    for (const r of numbersHereRows) if (numberIdSet.has(r.id)) numbersHere.set(r.id, numberHash(r));
    const recoveredKeys = new Set(plan.numbers.filter((n) => n.sourceTable !== 'purchasedphonenumber').map(numberKey));
    const numberVerdicts = classify(
      'purchasedphonenumber',
      plan.numbers.map((n) => ({ key: numberKey(n), id: n.id, row: n.row, problemTable: n.problemTable, problemId: n.problemId })),
      numbersHere,
      numberHash,
    );
    const toWrite = plan.numbers.filter((n) => ['insert', 'update'].includes(numberVerdicts.get(numberKey(n))!));
    const writingIds = new Set(toWrite.flatMap((n) => (n.id === undefined ? [] : [n.id])));
    // Rows here that are not being written but share a phone, SID or VAPI id, or hold the same person.
    const others = numbersHereRows.filter((r) => !writingIds.has(r.id));
    const byValue = new Map<string, ImportedNumberRow>();
    for (const r of others) {
      byValue.set(`phone:${r.phone_number}`, r);
      byValue.set(`sid:${r.twilio_sid}`, r);
      if (r.vapi_phone_number_id) byValue.set(`vapi:${r.vapi_phone_number_id}`, r);
      if (r.assigned_to_type === 'realtor') byValue.set(`holder:realtor:${r.assigned_realtor_id}`, r);
      if (r.assigned_to_type === 'property_manager') byValue.set(`holder:pm:${r.property_manager_id}`, r);
    }
    for (const n of toWrite) {
      for (const [what, key] of [
        ['phone number', `phone:${n.row.phone_number}`],
        ['twilio_sid', `sid:${n.row.twilio_sid}`],
        ['vapi_phone_number_id', n.row.vapi_phone_number_id ? `vapi:${n.row.vapi_phone_number_id}` : ''],
      ] as const) {
        const other = key ? byValue.get(key) : undefined;
        if (other) {
          collisions.push({ table: n.problemTable, source_id: n.problemId, problem: `its ${what} is already number ${other.id} here, which was not imported from this row`, action: 'refused' });
        }
      }
      if (n.row.status === 'assigned') {
        const holder = n.row.assigned_to_type === 'realtor' ? `holder:realtor:${n.row.assigned_realtor_id}` : `holder:pm:${n.row.property_manager_id}`;
        const other = byValue.get(holder);
        if (other) {
          conflicts.push({
            table: n.problemTable,
            source_id: n.problemId,
            problem: `its holder holds number ${other.id} here now`,
            action: 'imported available (the assignment made here is kept)',
          });
          Object.assign(n.row, { status: 'available', assigned_to_type: null, assigned_realtor_id: null, assigned_at: null });
          const bu = bookUpdates.find((b) => `${b.source_table}:${b.source_id}` === numberKey(n));
          if (bu) bu.hash = numberHash(n.row);
        }
      }
    }
    if (collisions.length) {
      throw new ImportRefused(`this database already holds ${collisions.length} row(s) under the source's ids or values that were not imported from it`, collisions);
    }
    count('purchasedphonenumber', numberVerdicts, recoveredKeys);

    // Requests.
    const requestIds = [...new Set([...plan.requests.map((r) => r.id), ...[...book].filter(([k]) => k.startsWith('phonenumberrequest:')).map(([, b]) => b.target_id)])];
    const requestsHere = new Map<number, string>();
    for (const r of await this.q.query(
      `SELECT id, property_manager_id, country_code, area_code, status, notes, to_char(requested_at AT TIME ZONE 'UTC', ${iso}) AS requested_at,
              to_char(fulfilled_at AT TIME ZONE 'UTC', ${iso}) AS fulfilled_at FROM phone_number_requests WHERE id = ANY($1::int[])`,
      [requestIds],
    ))
      requestsHere.set(r.id, requestHash(r));
    const requestVerdicts = classify(
      'phonenumberrequest',
      plan.requests.map((r) => ({ key: `phonenumberrequest:${r.id}`, id: r.id, row: r, problemTable: 'phonenumberrequest' as const, problemId: r.id })),
      requestsHere,
      requestHash,
    );
    count('phonenumberrequest', requestVerdicts);

    // Write, in foreign-key order, in batches.
    const writes = <T>(verdicts: Map<string, Verdict>, rows: T[], key: (r: T) => string) => rows.filter((r) => ['insert', 'update'].includes(verdicts.get(key(r))!));
    const pmsToWrite = writes(pmVerdicts, plan.propertyManagers, (p) => `propertymanager:${p.id}`);
    for (let i = 0; i < pmsToWrite.length; i += BATCH) {
      await this.q.query(
        `INSERT INTO property_managers (id, name, email, auth_user_id, company_name, created_at)
         SELECT id, name, email, auth_user_id, company_name, coalesce(created_at, now()) FROM json_populate_recordset(NULL::property_managers, $1::json)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, auth_user_id = EXCLUDED.auth_user_id, company_name = EXCLUDED.company_name`,
        [JSON.stringify(pmsToWrite.slice(i, i + BATCH))],
      );
    }
    const realtorsToWrite = writes(realtorVerdicts, plan.realtors, (r) => `realtor:${r.id}`);
    for (let i = 0; i < realtorsToWrite.length; i += BATCH) {
      await this.q.query(
        `INSERT INTO realtors (id, property_manager_id, name, email, auth_user_id, created_at)
         SELECT id, property_manager_id, name, email, auth_user_id, coalesce(created_at, now()) FROM json_populate_recordset(NULL::realtors, $1::json)
         ON CONFLICT (id) DO UPDATE SET property_manager_id = EXCLUDED.property_manager_id, name = EXCLUDED.name, email = EXCLUDED.email, auth_user_id = EXCLUDED.auth_user_id`,
        [JSON.stringify(realtorsToWrite.slice(i, i + BATCH))],
      );
    }
    if (pmsToWrite.length || realtorsToWrite.length) this.events.publish({ t: 'directory' });

    // Recovered numbers get ids counted down from the top of the range (never in the way of the source's ids).
    const fresh = toWrite.filter((n) => n.id === undefined);
    if (fresh.length) {
      const [{ low }] = await this.q.query(`SELECT coalesce(min(id)::bigint, $1::bigint + 1) AS low FROM purchased_phone_numbers WHERE id >= $2`, [RECOVERED_ID_CEILING, RECOVERED_ID_FLOOR]);
      let next = Number(low) - 1;
      for (const n of fresh) n.id = next--;
      for (const b of bookUpdates) if (b.target_id === -1) b.target_id = plan.numbers.find((n) => numberKey(n) === `${b.source_table}:${b.source_id}`)!.id!;
    }
    const replacing = toWrite.filter((n) => numberVerdicts.get(numberKey(n)) === 'update').map((n) => n.id!);
    await this.numbers.importMany(
      toWrite.map((n) => ({ id: n.id!, ...n.row })),
      replacing,
    );

    const requestsToWrite = writes(requestVerdicts, plan.requests, (r) => `phonenumberrequest:${r.id}`);
    for (let i = 0; i < requestsToWrite.length; i += BATCH) {
      await this.q.query(
        `INSERT INTO phone_number_requests (id, property_manager_id, country_code, area_code, status, notes, requested_at, fulfilled_at, cancelled_at)
         SELECT id, property_manager_id, country_code, area_code, status, notes, requested_at, fulfilled_at, cancelled_at
           FROM json_populate_recordset(NULL::phone_number_requests, $1::json)
         ON CONFLICT (id) DO UPDATE SET property_manager_id = EXCLUDED.property_manager_id, country_code = EXCLUDED.country_code,
                area_code = EXCLUDED.area_code, status = EXCLUDED.status, notes = EXCLUDED.notes, requested_at = EXCLUDED.requested_at,
                fulfilled_at = EXCLUDED.fulfilled_at, cancelled_at = EXCLUDED.cancelled_at`,
        [JSON.stringify(requestsToWrite.slice(i, i + BATCH))],
      );
    }

    // What each written row looks like now, in the source and here (the same: it was just written).
    for (let i = 0; i < bookUpdates.length; i += BATCH) {
      await this.q.query(
        `INSERT INTO legacy_import_rows (source_table, source_id, target_table, target_id, source_hash, target_hash)
         SELECT source_table, source_id, target_table, target_id, hash, hash
           FROM json_to_recordset($1::json) AS r(source_table text, source_id text, target_table text, target_id integer, hash text)
         ON CONFLICT (source_table, source_id) DO UPDATE SET target_id = EXCLUDED.target_id, source_hash = EXCLUDED.source_hash,
                target_hash = EXCLUDED.target_hash, updated_at = now()`,
        [JSON.stringify(bookUpdates.slice(i, i + BATCH))],
      );
    }

    // Rows created here from now on never collide with the imported ids.
    for (const [table, ceiling] of [
      ['property_managers', null],
      ['realtors', null],
      ['purchased_phone_numbers', RECOVERED_ID_FLOOR],
      ['phone_number_requests', null],
    ] as const) {
      await this.q.query(
        `SELECT setval(pg_get_serial_sequence('${table}', 'id'),
                       greatest(coalesce((SELECT max(id) FROM ${table}${ceiling ? ` WHERE id < ${ceiling}` : ''}), 0),
                                coalesce(pg_sequence_last_value(pg_get_serial_sequence('${table}', 'id')), 0), 1))`,
      );
    }

    if (bookUpdates.length) {
      // The import is an admin change like any other: one audit record, in its transaction.
      await this.audit.record(
        { principal: { roles: ['admin'], actorType: 'user', actorId: `cli:${safeUser()}`, credential: 'cli' }, requestId: randomUUID(), clientIp: 'local' },
        { action: 'legacy_import.run', targetType: 'legacy_import', details: { summary } },
      );
    }

    const problems = [
      ...plan.problems.filter((p) => written.has(`${p.table}:${p.source_id}`) || p.action.startsWith('skipped')),
      ...conflicts,
    ];
    for (const p of problems) summary[p.table].problems++;
    return {
      dryRun: false,
      changed: bookUpdates.length > 0,
      callForwarding: data.callForwardingEvents === null ? 'absent' : 'not_imported',
      summary,
      problems,
    };
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function targetTableOf(table: SourceTable): string {
  return { propertymanager: 'property_managers', realtor: 'realtors', purchasedphonenumber: 'purchased_phone_numbers', phonenumberrequest: 'phone_number_requests', callforwardingevent: 'call_forwarding_events' }[table];
}

export type { TableCounts };
