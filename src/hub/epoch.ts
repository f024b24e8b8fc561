/** An epoch: 12 lowercase hex digits, the first part of every id `/feed` assigns. */
const EPOCH = /^[0-9a-f]{12}$/;

/**
 * A fresh epoch. Random, so a server that lost its history (a new process without a file log, a
 * Redis that lost its data) never hands out an id that meant something else before.
 */
export function newEpoch(): string {
  // Web Crypto, not node:crypto: the portable entry (`sse-reference/web`) shares this file.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Whether `value` is an epoch (12 lowercase hex digits). */
export function isEpoch(value: string): boolean {
  return EPOCH.test(value);
}

/**
 * Checks an epoch given as an option.
 *
 * @throws TypeError with a sentence naming what is wrong
 */
export function checkEpoch(value: string): string {
  if (!isEpoch(value)) throw new TypeError(`epoch must be 12 lowercase hex digits, got ${JSON.stringify(value)}.`);
  return value;
}
