import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the provider stand-ins found: the violations not yet reported (to fail the test that caused
 * them) and how many requests were validated (summed over the run by the global teardown).
 * Kept apart from the validators so that every e2e file can load it cheaply.
 */
export type Provider = 'twilio' | 'vapi';

/** Where each jest worker appends its counts; set by the global setup, summed by the global teardown. */
export const CONTRACT_TALLY_DIR_ENV = 'PN_PROVIDER_CONTRACT_TALLY_DIR';

export interface ContractViolation {
  owner: object;
  provider: Provider;
  message: string;
}

interface Ledger {
  violations: ContractViolation[];
  unflushed: Record<Provider, number>;
}

/** One per test file (global, so every module instance of this file shares it). */
const ledger: Ledger = ((globalThis as Record<string, unknown>).__providerContractLedger ??= {
  violations: [],
  unflushed: { twilio: 0, vapi: 0 },
}) as Ledger;

export function recordValidated(provider: Provider): void {
  ledger.unflushed[provider] += 1;
}

export function recordViolation(violation: ContractViolation): void {
  ledger.violations.push(violation);
}

/** Removes and returns the violations not yet reported (of one stand-in, or all). */
export function takeViolations(owner?: object): ContractViolation[] {
  const taken = ledger.violations.filter((v) => !owner || v.owner === owner);
  ledger.violations = ledger.violations.filter((v) => !taken.includes(v));
  return taken;
}

/** Appends this worker's counts since the last flush to the run's tally. */
export function flushTally(violationsReported: number): void {
  const dir = process.env[CONTRACT_TALLY_DIR_ENV];
  if (!dir) return;
  const line = { twilio: ledger.unflushed.twilio, vapi: ledger.unflushed.vapi, violations: violationsReported };
  if (line.twilio + line.vapi + line.violations === 0) return;
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(line)}\n`);
  ledger.unflushed = { twilio: 0, vapi: 0 };
}

/** The run's totals, from every worker's lines. */
export function readTally(dir: string): { twilio: number; vapi: number; violations: number } {
  const total = { twilio: 0, vapi: 0, violations: 0 };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean)) {
      const counts = JSON.parse(line) as typeof total;
      total.twilio += counts.twilio;
      total.vapi += counts.vapi;
      total.violations += counts.violations;
    }
  }
  return total;
}
