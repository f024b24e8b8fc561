import type { ProbeRecord } from './probe.js';

/**
 * Why a first connection shows the target cannot be reached at all, or undefined when it answered
 * or may still answer. Unreachable: the name did not resolve, the connection or the TLS handshake
 * failed (all `error`), or the server reset or closed the connection, or sent bytes that are not
 * HTTP, before any response head. A connection accepted and left silent is not unreachable: a
 * server may hold its headers until its first event, and the run judges that (SSE-S01).
 */
export function unreachableReason(record: ProbeRecord): string | undefined {
  if (record.head !== undefined) return undefined;
  switch (record.end) {
    case 'error':
      return record.error ?? 'the connection failed';
    case 'reset':
      return `the connection was reset before any HTTP answer${record.error === undefined ? '' : ` (${record.error})`}`;
    case 'closed':
      return 'the server closed the connection with no HTTP answer';
    case 'bad-framing':
      return `the answer is not HTTP${record.error === undefined ? '' : ` (${record.error})`}`;
    default:
      return undefined;
  }
}
