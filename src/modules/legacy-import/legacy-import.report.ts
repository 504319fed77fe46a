import type { Problem } from './cleaning-rules';
import { SOURCE_TABLES, SourceTable } from './legacy-source';

export interface TableCounts {
  read: number;
  imported: number;
  updated: number;
  unchanged: number;
  recovered: number;
  skipped: number;
  conflicts: number;
  problems: number;
}

export interface ImportReport {
  dryRun: boolean;
  /** False when the run wrote nothing (an unchanged source, re-run). */
  changed: boolean;
  /** `callforwardingevent` rows: this service does not store call forwarding yet. */
  callForwarding: 'absent' | 'not_imported';
  summary: Record<SourceTable, TableCounts>;
  problems: Problem[];
}

export const emptySummary = (): Record<SourceTable, TableCounts> =>
  Object.fromEntries(
    SOURCE_TABLES.map((t) => [t, { read: 0, imported: 0, updated: 0, unchanged: 0, recovered: 0, skipped: 0, conflicts: 0, problems: 0 }]),
  ) as Record<SourceTable, TableCounts>;

const COLUMNS: Array<keyof TableCounts> = ['read', 'imported', 'updated', 'unchanged', 'recovered', 'skipped', 'conflicts', 'problems'];

/** The stdout table: one line per source table, then what happened. */
export function formatReport(report: ImportReport): string {
  const rows = SOURCE_TABLES.map((t) => [t, ...COLUMNS.map((c) => String(report.summary[t][c]))]);
  const header = ['table', ...COLUMNS];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ''];
  if (report.callForwarding === 'not_imported') {
    out.push(`callforwardingevent: ${report.summary.callforwardingevent.read} rows not imported (this service does not store call forwarding yet; they stay in the source).`);
  }
  const conflicts = SOURCE_TABLES.reduce((n, t) => n + report.summary[t].conflicts, 0);
  if (conflicts) out.push(`${conflicts} row(s) changed both in the source and here since the last import were kept as they are here (see problems).`);
  if (report.dryRun) out.push(report.changed ? 'Dry run: nothing was written; the figures above are what an import would do.' : 'Dry run: the source has not changed since the last import; an import would change nothing.');
  else out.push(report.changed ? 'Imported (one transaction, committed).' : 'Nothing changed: the source has not changed since the last import.');
  return out.join('\n') + '\n';
}

/** The `--report` file: `{summary, problems}`, plus whether it was a dry run and whether anything changed. */
export function reportJson(report: ImportReport): object {
  return { dry_run: report.dryRun, changed: report.changed, summary: report.summary, problems: report.problems };
}

/** What a refusal prints: every row in the way, one per line. */
export function formatRefusal(message: string, problems: Problem[]): string {
  return [`Import refused, nothing written: ${message}.`, ...problems.map((p) => `  ${p.table} ${p.source_id}: ${p.problem} — ${p.action}`)].join('\n') + '\n';
}
