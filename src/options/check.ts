/**
 * Checks a count or size option.
 *
 * @throws RangeError with a sentence naming the option when `value` is not an integer in `[min, max]`
 */
export function checkInteger(value: number, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${String(value)}.`);
  }
  if (value > max) throw new RangeError(`${name} must be an integer of at most ${max}, got ${String(value)}.`);
  return value;
}
