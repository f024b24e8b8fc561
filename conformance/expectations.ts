import { isRuleId } from './rules.js';

/** Known failures a project accepts for now: rule id → the reason. */
export type Expectations = Readonly<Record<string, { readonly fail: string }>>;

/** Thrown when an expectations file is not what {@link parseExpectations} accepts. */
export class ExpectationsError extends Error {
  override readonly name = 'ExpectationsError';
}

/**
 * Reads an expectations file's text: `{ "<rule id>": { "fail": "<reason>" } }`.
 *
 * @throws {@link ExpectationsError} on bad JSON, an unknown rule id or a missing reason
 */
export function parseExpectations(text: string): Expectations {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ExpectationsError(`The expectations file is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExpectationsError('The expectations file must be an object: { "<rule id>": { "fail": "<reason>" } }.');
  }
  const out: Record<string, { fail: string }> = {};
  for (const [id, entry] of Object.entries(value)) {
    if (!isRuleId(id)) throw new ExpectationsError(`The expectations file names an unknown rule ${JSON.stringify(id)}.`);
    const reason = (entry as { fail?: unknown } | null)?.fail;
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new ExpectationsError(`The expectation for ${id} needs a reason: { "fail": "why it fails for now" }.`);
    }
    out[id] = { fail: reason };
  }
  return out;
}
