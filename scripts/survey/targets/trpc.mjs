// tRPC 11 subscriptions over SSE, written the way tRPC's docs show them (Subscriptions, "Automatic
// tracking of id using tracked() (recommended)"; the page ships in @trpc/server as
// skills/subscriptions/SKILL.md), served by the Standalone Adapter (createHTTPServer).
// Changes: the docs leave "[...] get the posts since the last event id and yield them" to the
// application: here the posts are kept in memory (the last 100) and those after lastEventId are
// yielded; the app adds a post a second (ids "1", "2", …) and emits it on the docs' event emitter.
// Ours: 127.0.0.1, an ephemeral port printed as "listening <port>"; SURVEY_TICK=0 turns the ticker off.
import EventEmitter, { on } from 'node:events';
import { initTRPC, tracked } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { z } from 'zod';

class IterableEventEmitter extends EventEmitter {
  toIterable(eventName, opts) {
    return on(this, eventName, opts);
  }
}

const t = initTRPC.create();
const publicProcedure = t.procedure;
const router = t.router;

const ee = new IterableEventEmitter();
const posts = [];

export const subRouter = router({
  onPostAdd: publicProcedure
    .input(
      z
        .object({
          // lastEventId is the last event id that the client has received
          // On the first call, it will be whatever was passed in the initial setup
          // If the client reconnects, it will be the last event id that the client received
          lastEventId: z.string().nullish(),
        })
        .optional(),
    )
    .subscription(async function* (opts) {
      // We start by subscribing to the ee so that we don't miss any new events while fetching
      const iterable = ee.toIterable('add', {
        // Passing the AbortSignal from the request automatically cancels the event emitter when the request is aborted
        signal: opts.signal,
      });

      if (opts.input?.lastEventId) {
        // Ours: the posts since the last event id, from memory.
        const since = posts.findIndex((post) => post.id === opts.input.lastEventId);
        for (const item of since < 0 ? [] : posts.slice(since + 1)) {
          yield tracked(item.id, item);
        }
      }
      // listen for new events from the iterable we set up above
      for await (const [data] of iterable) {
        const post = data;
        // tracking the post id ensures the client can reconnect at any time and get the latest events since this id
        yield tracked(post.id, post);
      }
    }),
});

const server = createHTTPServer({ router: subRouter });
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});

if (process.env.SURVEY_TICK !== '0') {
  let id = 0;
  setInterval(() => {
    const post = { id: String(++id), title: `post ${id}` };
    posts.push(post);
    if (posts.length > 100) posts.shift();
    ee.emit('add', post);
  }, 1000);
}
