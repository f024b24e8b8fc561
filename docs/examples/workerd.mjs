// #region workerd
import { DurableObject } from 'cloudflare:workers';
import { Channel, SseError } from 'sse-reference/web';

// One Durable Object holds the channel: its requests share one I/O context, so a stream opened
// by one request receives what another publishes (a plain Worker's request owns its stream).
export class Feed extends DurableObject {
  channel = new Channel();

  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/feed') return this.channel.response(request);
    if (pathname !== '/publish' || request.method !== 'POST') return new Response(null, { status: 404 });
    try {
      return Response.json(this.channel.publish(await request.json()), { status: 202 });
    } catch (error) {
      // A refused event says how (400, 413…); anything else here is a body that is not JSON.
      const refused = error instanceof SseError ? error : { statusCode: 400, code: 'bad_body', message: String(error) };
      return Response.json({ error: { code: refused.code, message: refused.message } }, { status: refused.statusCode });
    }
  }
}

// The Worker sends every request to the one object, named "feed".
export default {
  fetch(request, env) {
    return env.FEED.get(env.FEED.idFromName('feed')).fetch(request);
  },
};
// #endregion workerd
