import { eventually } from 'sse-reference/testing';

/**
 * Whether `predicate` comes to hold within `timeoutMs`, polled by `eventually` every `intervalMs`:
 * for a wait whose running out is a finding to report (a weak server's), not an error to throw.
 * An error the predicate throws still throws.
 */
export async function holdsWithin(predicate: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let holds = false;
  // The check ends the wait itself at the deadline: eventually's own bound is only a backstop.
  await eventually(async () => (holds = await predicate()) || Date.now() > deadline, timeoutMs + 60_000, 'the deadline', intervalMs);
  return holds;
}
