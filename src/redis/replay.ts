import { encodeComment, encodeCursor } from '../protocol/encode.js';
import type { FeedStart } from '../history/broker.js';
import { formatReset, planResume, type ResetReason } from '../hub/resume.js';
import type { EventSink } from '../stream/sink.js';
import type { RedisClient } from './client.js';
import { parseEntries, type Entry } from './entries.js';
import type { Follower } from './follower.js';
import { compareStreamIds, formatStreamEventId, formatStreamId, type StreamCursor, type StreamId } from './stream-id.js';

/** Options of {@link Replay}: what the `RedisBroker` wiring gives it. */
export interface ReplayOptions {
  /** The stream's key. */
  readonly key: string;
  /** The command connection: `XRANGE` pages are read on it, never on the follower's. */
  readonly commands: RedisClient;
  readonly follower: Follower;
  /** The `retry:` hint for a stream sent away. */
  readonly retryMs: number;
  /** How long a resume from a cursor ahead of this instance waits for the follower. */
  readonly catchUpTimeoutMs: number;
}

const PAGE = 1000;

/**
 * The resume of a `RedisBroker`: {@link planResume} decides from a parsed cursor and the
 * follower's window whether a subscriber starts fresh, replays from the window, or is reset, as
 * for every history; here a cursor ahead of this instance is caught up with, and one older than
 * the window is paged from Redis with `XRANGE`; a failure sends the stream away to come back.
 * Every path ends in {@link Follower.join}, the one synchronous step from replay to live.
 *
 * It keeps no state of its own: everything it decides on is the follower's, read again after
 * every wait.
 */
export class Replay {
  readonly #options: ReplayOptions;

  constructor(options: ReplayOptions) {
    this.#options = options;
  }

  /** Starts a subscriber from its cursor. Never rejects: a failure sends the stream away. */
  start(subscriber: EventSink, cursor: StreamCursor): Promise<FeedStart> {
    const follower = this.#options.follower;
    const epoch = follower.epoch;
    // Before Redis was first reached, or while the window is reloaded after a gap, the window
    // cannot prove anything: the client is asked to come back.
    if (epoch === undefined || follower.isReloading) return Promise.resolve(this.sendAway(subscriber));
    // Redis unreachable: a stream here would deliver nothing while /health says 503, so the client
    // comes back later, perhaps to another instance. (A follower that is only reconnecting is
    // waited for instead: catch-up covers it.)
    if (this.#options.commands.state !== 'ready') return Promise.resolve(this.sendAway(subscriber, 'redis: down'));
    const window = follower.window;
    // #region redis-resume
    const decision = planResume(cursor, { epoch, compare: compareStreamIds, head: window.head, floor: window.floor, holds: (id) => window.holds(id) });
    switch (decision.kind) {
      case 'fresh':
        // The cursor: a client that drops before its first event resumes from here.
        return Promise.resolve(follower.join(subscriber, [encodeCursor(formatStreamEventId(epoch, window.head))], { kind: 'fresh' }));
      case 'reset':
        return Promise.resolve(this.#reset(subscriber, decision.reason));
      case 'replay': {
        const held = window.after(decision.after) as Buffer[];
        return Promise.resolve(follower.join(subscriber, held, { kind: 'replay', replayed: held.length }));
      }
      case 'ahead':
        // A faster instance issued it: catch up before deciding.
        return this.#catchUp(subscriber, epoch, decision.at);
      case 'older':
        // Trimmed from the window, maybe not from the stream.
        return this.#fromRedis(subscriber, epoch, decision.at);
    }
    // #endregion redis-resume
  }

  /** Ends the stream with a `retry:` hint (and a comment saying why): the client comes back later. */
  sendAway(subscriber: EventSink, why?: string): FeedStart {
    if (why !== undefined) subscriber.write(encodeComment(why));
    subscriber.end(this.#options.retryMs);
    return { kind: 'retry-later' };
  }

  #reset(subscriber: EventSink, reason: ResetReason): FeedStart {
    const follower = this.#options.follower;
    const epoch = follower.epoch as string;
    const head = follower.window.head;
    const oldest = formatStreamId(follower.window.oldest);
    const reset = Buffer.from(formatReset(reason, { epoch, head: formatStreamId(head), oldest, headId: formatStreamEventId(epoch, head) }), 'utf8');
    return follower.join(subscriber, [reset], { kind: 'reset', reason });
  }

  /** A cursor ahead of the window: if Redis has it, wait until the follower has read past it. */
  async #catchUp(subscriber: EventSink, epoch: string, id: StreamId): Promise<FeedStart> {
    const { commands, follower, key } = this.#options;
    let exists: boolean;
    try {
      const reply = await commands.command(['XRANGE', key, formatStreamId(id), formatStreamId(id)]);
      exists = Array.isArray(reply) && reply.length === 1;
    } catch {
      return this.sendAway(subscriber);
    }
    if (follower.epoch !== epoch) return this.#reset(subscriber, 'epoch');
    if (!exists) return this.#reset(subscriber, 'unknown');
    const isReached = await follower.waitForHead(id, this.#options.catchUpTimeoutMs);
    if (!isReached || follower.isReloading) return this.sendAway(subscriber);
    if (follower.epoch !== epoch) return this.#reset(subscriber, 'epoch');
    const held = follower.window.after(id);
    if (held !== undefined) return follower.join(subscriber, held, { kind: 'replay', replayed: held.length });
    return this.#fromRedis(subscriber, epoch, id);
  }

  /** A cursor older than the window: read from Redis up to the window, then join it. */
  async #fromRedis(subscriber: EventSink, epoch: string, id: StreamId): Promise<FeedStart> {
    const { commands, follower, key } = this.#options;
    const window = follower.window;
    const collected: Entry[] = [];
    let last = id;
    try {
      const first = parseEntries(await commands.command(['XRANGE', key, formatStreamId(id), '+', 'COUNT', String(PAGE + 1)]), epoch);
      if (first[0] === undefined || compareStreamIds(first[0].id, id) !== 0) {
        const oldest = parseEntries(await commands.command(['XRANGE', key, '-', '+', 'COUNT', '1']), epoch)[0];
        if (follower.epoch !== epoch) return this.#reset(subscriber, 'epoch');
        return this.#reset(subscriber, oldest !== undefined && compareStreamIds(id, oldest.id) < 0 ? 'expired' : 'unknown');
      }
      collected.push(...first.slice(1));
      last = first.at(-1)?.id ?? id;
      // The window may move on while we read; read on until what we hold reaches its floor.
      for (let pages = 0; compareStreamIds(last, window.floor) < 0; pages++) {
        if (pages > 100 || follower.epoch !== epoch) break;
        const more = parseEntries(await commands.command(['XRANGE', key, `(${formatStreamId(last)}`, '+', 'COUNT', String(PAGE)]), epoch);
        if (more.length === 0) break;
        collected.push(...more);
        last = (more.at(-1) as Entry).id;
      }
    } catch {
      return this.sendAway(subscriber);
    }
    if (follower.epoch !== epoch) return this.#reset(subscriber, 'epoch');
    if (compareStreamIds(last, window.floor) < 0 || follower.isReloading) return this.sendAway(subscriber);
    // #region redis-join
    // One synchronous step: what Redis gave up to the window's head, then the window after it,
    // then live. Entries Redis gave beyond the head come again live, so they are left out here.
    const head = window.head;
    const initial = collected.filter((entry) => compareStreamIds(entry.id, head) <= 0).map((entry) => entry.bytes);
    initial.push(...window.newerThan(last));
    return follower.join(subscriber, initial, { kind: 'replay', replayed: initial.length });
    // #endregion redis-join
  }
}
