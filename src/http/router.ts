import { hasBody } from './body.js';
import type { CorsPolicy } from './cors.js';
import type { HostCheck } from './host.js';
import { sendError } from './json.js';
import type { SseRequest, SseResponse } from './types.js';

/** A route: the methods it answers, the request headers a preflight may allow, the handler. */
export interface Route {
  readonly allow: string;
  readonly corsHeaders: string;
  /** The one method whose request body the handler reads (and bounds); any other body is left unread. */
  readonly readsBodyOf?: string;
  handle(req: SseRequest, res: SseResponse): void;
}

/**
 * Dispatches on the path alone: the `Host` check first, `404` for an unknown path, the CORS
 * preflight for `OPTIONS`, the CORS headers on every answer, `405` for a method the route does not
 * allow. An answer to a request whose body its route does not read closes an HTTP/1.1 connection
 * (as `closeIfBodyUnread` explains), so a body trickled to `/health` holds no socket.
 */
export function createRouter(routes: ReadonlyMap<string, Route>, cors: CorsPolicy, checkHost: HostCheck): (req: SseRequest, res: SseResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] as string;
    const method = req.method ?? 'GET';
    const entry = routes.get(path);
    if (req.httpVersionMajor === 1 && entry?.readsBodyOf !== method && hasBody(req)) res.setHeader('connection', 'close');
    const misdirected = checkHost(req);
    if (misdirected !== undefined) {
      sendError(res, misdirected.status, misdirected.code, misdirected.message);
      return;
    }
    if (entry === undefined) {
      sendError(res, 404, 'not_found', `No route for ${path}.`);
      return;
    }
    const origin = req.headers.origin;
    if (method === 'OPTIONS') {
      const methods = entry.allow.replace(', OPTIONS', '');
      res.writeHead(204, { allow: entry.allow, ...cors.preflight(origin, { methods, headers: entry.corsHeaders }) });
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(cors.headersFor(origin))) res.setHeader(name, value);
    if (!entry.allow.split(', ').includes(method)) {
      sendError(res, 405, 'method_not_allowed', `Use ${entry.allow}.`, { allow: entry.allow });
      return;
    }
    entry.handle(req, res);
  };
}

/**
 * A small GET/HEAD route with a text body made on each request. A health reading (`/health`)
 * answers `200`, or `503` while something is down, with its one line, so a balancer can route
 * around it.
 */
export function textRoute(type: string, body: () => string | { readonly isUp: boolean; readonly text: string }): Route {
  return {
    allow: 'GET, HEAD, OPTIONS',
    corsHeaders: '',
    handle(req, res) {
      const made = body();
      const [status, text] = typeof made === 'string' ? [200, made] : [made.isUp ? 200 : 503, `${made.text}\n`];
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      if (req.method === 'HEAD') res.end();
      else res.end(text);
    },
  };
}
