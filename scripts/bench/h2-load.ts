import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { StreamLoad, type OpenOutcome, type StreamLoadOptions } from './load-generator.js';

/** Options of {@link H2LoadGenerator}. */
export interface H2LoadOptions extends StreamLoadOptions {
  /** `http:` for h2c (prior knowledge) or `https:` (TLS, ALPN h2; any certificate is accepted). */
  readonly streamUrl: string;
  /** HTTP/2 connections the streams are spread over, as browsers share one per origin. @defaultValue 10 */
  readonly sessions?: number;
}

/**
 * The HTTP/2 twin of {@link LoadGenerator}: streams opened round robin over a few shared sessions
 * (the way a browser on HTTPS multiplexes every EventSource of an origin), publishes sent over a
 * session of their own. The counting and timing are the same, so the bench measures both
 * transports with one procedure.
 */
export class H2LoadGenerator extends StreamLoad {
  readonly #url: URL;
  readonly #sessionCount: number;
  #sessions: ClientHttp2Session[] = [];
  #publisher: ClientHttp2Session | undefined;
  readonly #streams = new Set<ClientHttp2Stream>();

  constructor(options: H2LoadOptions) {
    super(options);
    this.#url = new URL(options.streamUrl);
    this.#sessionCount = options.sessions ?? 10;
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  /** Cancels every stream and closes every session. */
  async close(): Promise<void> {
    this.isClosing = true;
    for (const stream of this.#streams) stream.close(constants.NGHTTP2_CANCEL);
    this.#streams.clear();
    for (const session of [...this.#sessions, ...(this.#publisher === undefined ? [] : [this.#publisher])]) session.destroy();
    this.#sessions = [];
    this.#publisher = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.isClosing = false;
  }

  protected openStream(index: number, onSettled: (outcome: OpenOutcome) => void): void {
    while (this.#sessions.length < this.#sessionCount) this.#sessions.push(this.#connect());
    const session = this.#sessions[index % this.#sessions.length] as ClientHttp2Session;
    const startedAt = performance.now();
    const onBody = this.bodyReader(index);
    let isSettled = false;
    const settle = (outcome: OpenOutcome): void => {
      if (isSettled) return;
      isSettled = true;
      onSettled(outcome);
    };
    const stream = session.request({ ':path': `${this.#url.pathname}${this.#url.search}`, accept: 'text/event-stream' });
    stream.on('response', (headers) => {
      const status = Number(headers[':status']);
      if (status !== 200) {
        settle({ error: `status ${status}` });
        stream.close();
        return;
      }
      this.#streams.add(stream);
      settle(performance.now() - startedAt);
    });
    stream.on('data', (chunk: Buffer) => onBody(chunk, performance.now()));
    stream.on('error', (error) => {
      settle({ error: error.message });
      if (!this.isClosing) this.record(error.message);
    });
    stream.on('close', () => {
      settle({ error: 'closed before the response head' });
      if (this.#streams.delete(stream)) this.closedUnexpectedly();
    });
  }

  protected post(url: string, body: unknown): Promise<void> {
    this.#publisher ??= this.#connect();
    const text = JSON.stringify(body);
    const target = new URL(url);
    return new Promise((resolve) => {
      const req = this.#publisher!.request({
        ':method': 'POST',
        ':path': `${target.pathname}${target.search}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      req.on('response', (headers) => {
        if (Number(headers[':status']) >= 300) this.record(`publish answered ${headers[':status']}`);
      });
      req.on('error', (error) => this.record(`publish failed: ${error.message}`));
      req.on('close', () => resolve());
      req.resume();
      req.end(text);
    });
  }

  #connect(): ClientHttp2Session {
    const session = connect(this.#url.origin, { rejectUnauthorized: false });
    session.on('error', (error) => this.record(`session: ${error.message}`));
    return session;
  }
}
