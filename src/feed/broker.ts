import type { Broker } from '../history/broker.js';
import { FileLog } from '../history/file-log.js';
import { MemoryBroker } from '../history/memory-broker.js';
import { Channel } from '../hub/channel.js';
import type { ResolvedOptions } from '../options/table.js';
import { RedisBroker } from '../redis/redis-broker.js';

/**
 * Builds `/feed`'s broker from the server's options: Redis with `redisUrl`, else the in-memory
 * channel, over a file log with `historyFile`.
 *
 * @throws {@link FileLogError} when the history file cannot be read as one
 */
export function createBroker(options: ResolvedOptions): Broker {
  const { historyEvents, historyBytes, maxEventBytes } = options;
  if (options.redisUrl !== undefined) {
    return new RedisBroker({ url: options.redisUrl, key: options.redisKey, historyEvents, historyBytes, maxEventBytes, retryMs: options.retryMs, publishTimeoutMs: options.publishTimeoutMs });
  }
  const log = options.historyFile === undefined ? undefined : FileLog.open(options.historyFile, { keepEvents: historyEvents, keepBytes: historyBytes });
  const channel = new Channel({
    fanOutSlice: options.fanOutSlice,
    historyEvents,
    historyBytes,
    maxEventBytes,
    ...(log === undefined ? {} : { epoch: log.epoch, history: log.recovery, log }),
  });
  return new MemoryBroker(channel, log);
}
