import { SseError } from '../protocol/errors.js';

/**
 * Event names a client already gives a meaning: `reset` is the channel's own (a client that gets
 * one refetches its state), `error` and `open` are fired by `EventSource` itself, so a listener
 * for them could not tell the application's event from the connection's.
 */
export const RESERVED_EVENT_NAMES = ['reset', 'error', 'open'] as const;

/** One of {@link RESERVED_EVENT_NAMES}. */
export type ReservedEventName = (typeof RESERVED_EVENT_NAMES)[number];

const RESERVED: ReadonlySet<string> = new Set(RESERVED_EVENT_NAMES);

/**
 * Refuses an application event named like one the protocol or the client owns.
 *
 * @throws {@link SseError} `SSE_ERR_EVENT_RESERVED`
 */
export function checkAppEventName(event: string | undefined): void {
  if (event === undefined || !RESERVED.has(event)) return;
  const meaning = event === 'reset' ? 'a channel sends it when a cursor cannot be resumed, and clients refetch their state on it' : 'EventSource fires it itself';
  throw new SseError('SSE_ERR_EVENT_RESERVED', `Event name ${JSON.stringify(event)} is reserved (${meaning}); name the event for what it means, e.g. "app-${event}".`);
}
