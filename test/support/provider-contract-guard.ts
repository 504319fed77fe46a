import { flushTally, takeViolations } from './contract-ledger';

/**
 * Runs in every e2e file (jest `setupFilesAfterEnv`): a request the service sent that breaks a
 * provider's published contract fails the test during which it was sent (the stand-in also
 * answered it 400, as the provider would). Counts go to the run's tally either way.
 */
function failOnViolations(when: string): void {
  const found = takeViolations();
  flushTally(found.length);
  if (found.length > 0) {
    const list = found.map((v) => `  - ${v.provider}: ${v.message}`).join('\n');
    throw new Error(`The service sent requests that break the providers' published contracts (${when}):\n${list}`);
  }
}

afterEach(() => failOnViolations('during this test'));
afterAll(() => failOnViolations('after the last test'));
