import { SseError } from './errors.js';

/**
 * Turns event data into the text of its `data:` lines: a string stays exactly as it is, anything
 * else becomes JSON. The encoder's field hygiene applies afterwards, to the text.
 *
 * @param data - the payload as the publisher gave it
 * @returns the text to encode
 * @throws {@link SseError} `SSE_ERR_DATA_NOT_SERIALIZABLE` when JSON cannot represent the value
 *   (`undefined`, a function, a symbol, a BigInt, a cycle)
 */
export function serializeData(data: unknown): string {
  if (typeof data === 'string') return data;
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    throw new SseError('SSE_ERR_DATA_NOT_SERIALIZABLE', `Event data cannot be written as JSON: ${(error as Error).message}`);
  }
  // JSON.stringify answers undefined, not an error, for undefined, functions and symbols.
  if (text === undefined) {
    throw new SseError('SSE_ERR_DATA_NOT_SERIALIZABLE', `Event data of type ${typeof data} has no JSON form; publish a string or a JSON value.`);
  }
  return text;
}
