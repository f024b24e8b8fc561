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

/**
 * Refuses an option its taker does not have: in JavaScript a misspelt one (`history_events`)
 * would otherwise be ignored without a word, and its default used.
 *
 * @param options - what the caller passed
 * @param known - every option's name, as the keys of an object
 * @param taker - what takes them, for the sentence (e.g. `Channel`)
 * @throws TypeError naming the unknown option, the one it looks like, and every known one
 */
export function checkKnownOptions(options: object, known: Readonly<Record<string, unknown>>, taker: string): void {
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(known, name)) continue;
    const names = Object.keys(known);
    const meant = names.find((candidate) => looksLike(name, candidate));
    throw new TypeError(`${taker} has no option ${JSON.stringify(name)}${meant === undefined ? '.' : `; did you mean ${meant}?`} Its options: ${names.join(', ')}.`);
  }
}

// The same name but for case, `_` or `-` (history_events), or at most two edits away (histroyEvents).
function looksLike(typed: string, name: string): boolean {
  const plain = (text: string): string => text.toLowerCase().replace(/[-_]/g, '');
  const a = plain(typed);
  const b = plain(name);
  return a === b || (Math.min(a.length, b.length) > 4 && editDistance(a, b) <= 2);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
