import { getRequest, rawRequest, simpleGet } from './raw-client.js';
import { percentile } from '../lib/stats.js';

/** What the well-behaved clients saw while a scenario attacked the server. */
export interface GoodClientReport {
  readonly healthRequests: number;
  readonly healthFailures: number;
  readonly healthP99Ms: number;
  readonly healthMaxMs: number;
  /** Events the `/feed` follower received, and whether their ids were contiguous. */
  readonly feedEvents: number;
  readonly feedGaps: number;
  readonly feedIsOpen: boolean;
}

/**
 * Starts the clients that must keep being served during an attack: one asks `/health` every
 * `everyMs`, one follows `/feed` and checks that every id follows the previous one.
 */
export function startGoodClients(port: number, everyMs = 50): { stop(): Promise<GoodClientReport> } {
  const feed = rawRequest({ port }, getRequest('/feed'));
  const times: number[] = [];
  let failures = 0;
  let isStopped = false;
  const loop = (async () => {
    while (!isStopped) {
      const answer = await simpleGet({ port }, '/health', 5000);
      times.push(answer.ms);
      if (answer.status !== 200 || answer.body !== 'ok\n') failures++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      isStopped = true;
      await loop;
      let gaps = 0;
      const events = feed.parser.events;
      for (let i = 1; i < events.length; i++) {
        const previous = Number(events[i - 1]?.id.split('-')[1]);
        if (Number(events[i]?.id.split('-')[1]) !== previous + 1) gaps++;
      }
      const report: GoodClientReport = {
        healthRequests: times.length,
        healthFailures: failures,
        healthP99Ms: percentile(times, 99),
        healthMaxMs: Math.max(0, ...times),
        feedEvents: events.length,
        feedGaps: gaps,
        feedIsOpen: !feed.isClosed,
      };
      feed.destroy();
      return report;
    },
  };
}
