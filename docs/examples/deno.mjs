// #region deno
import { Channel, SseError } from 'sse-reference/web';

const channel = new Channel();

async function handle(request) {
  const { pathname } = new URL(request.url);
  if (pathname === '/feed') return channel.response(request);
  if (pathname !== '/publish' || request.method !== 'POST') return new Response(null, { status: 404 });
  try {
    return Response.json(channel.publish(await request.json()), { status: 202 });
  } catch (error) {
    // A refused event says how (400, 413…); anything else here is a body that is not JSON.
    const refused = error instanceof SseError ? error : { statusCode: 400, code: 'bad_body', message: String(error) };
    return Response.json({ error: { code: refused.code, message: refused.message } }, { status: refused.statusCode });
  }
}

const server = Deno.serve({ port: Number(Deno.env.get('PORT') ?? 3000), hostname: '127.0.0.1' }, handle);

Deno.addSignalListener('SIGTERM', () => {
  channel.close({ retryMs: 5000 });
  void server.shutdown();
});
// #endregion deno
