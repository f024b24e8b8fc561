import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** A DevTools protocol error answer. */
export class CdpError extends Error {
  override readonly name = 'CdpError';
}

/** Flags for a headless Chromium on a closed machine: nothing reaches out, nothing is remembered. */
const FLAGS = [
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--mute-audio',
  '--remote-debugging-pipe',
];

/**
 * Splits what the browser wrote so far into whole messages (each ends with NUL) and the start of
 * the next one, which a later chunk completes.
 */
export function takeMessages(buffered: string): { readonly messages: string[]; readonly rest: string } {
  const parts = buffered.split('\0');
  return { messages: parts.slice(0, -1), rest: parts.at(-1) as string };
}

type Listener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

/**
 * A headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe`: the browser
 * reads commands on fd 3 and writes answers and events on fd 4, each message JSON ending in NUL.
 */
export class Chromium {
  readonly #child: ChildProcess;
  readonly #input: Writable;
  readonly #profile: string;
  readonly #pending = new Map<number, { resolve(value: Record<string, unknown>): void; reject(error: Error): void }>();
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Resolves with the exit code once the browser process has exited. */
  readonly exited: Promise<number | null>;
  #nextId = 1;
  #stderr = '';

  private constructor(child: ChildProcess, profile: string) {
    this.#child = child;
    this.#profile = profile;
    const pipes = child.stdio as unknown as [null, null, Readable, Writable, Readable];
    this.#input = pipes[3];
    pipes[2].setEncoding('utf8');
    pipes[2].on('data', (text: string) => {
      // Keep the tail only: it is for the error message when something goes wrong.
      this.#stderr = (this.#stderr + text).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const waiter of this.#pending.values()) waiter.reject(new CdpError(`Chromium exited; its last words:\n${this.#stderr}`));
      this.#pending.clear();
    });
    let buffered = '';
    pipes[4].setEncoding('utf8');
    pipes[4].on('data', (text: string) => {
      const { messages, rest } = takeMessages(buffered + text);
      buffered = rest;
      for (const message of messages) this.#receive(message);
    });
  }

  /**
   * Starts Chromium with a fresh profile directory.
   *
   * @param flags - more command-line flags, e.g. `--ignore-certificate-errors` for a test certificate
   * @param executable - the browser binary @defaultValue `$CHROMIUM` or `/usr/bin/chromium`
   */
  static async launch(flags: readonly string[] = [], executable = process.env['CHROMIUM'] ?? '/usr/bin/chromium'): Promise<Chromium> {
    const profile = await mkdtemp(join(tmpdir(), 'sse-reference-chromium-'));
    // Chromium's sandbox cannot start as root, nor in most CI containers; this browser only ever
    // loads the test's own loopback page, so it runs without one.
    const child = spawn(executable, [...FLAGS, ...flags, '--no-sandbox', `--user-data-dir=${profile}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (error) => reject(new CdpError(`cannot start ${executable}: ${error.message} (install the Debian package "chromium")`)));
      });
    } catch (error) {
      await rm(profile, { recursive: true, force: true });
      throw error;
    }
    return new Chromium(child, profile);
  }

  /** The browser's process id. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Sends one command and waits for its answer.
   *
   * @param sessionId - the target session; none addresses the browser itself
   * @throws {@link CdpError} when the browser answers with an error or exits first
   */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const message = JSON.stringify(sessionId === undefined ? { id, method, params } : { id, method, params, sessionId });
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#input.write(`${message}\0`);
    });
  }

  /** Calls `listener` for every event named `method`. */
  on(method: string, listener: Listener): void {
    const set = this.#listeners.get(method) ?? new Set();
    set.add(listener);
    this.#listeners.set(method, set);
  }

  /** Asks the browser to quit, kills it if it has not within two seconds, and removes the profile. */
  async close(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.send('Browser.close').catch(() => {});
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(timer);
    }
    await rm(this.#profile, { recursive: true, force: true });
  }

  #receive(text: string): void {
    const message = JSON.parse(text) as {
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
      result?: Record<string, unknown>;
      error?: { message: string };
      sessionId?: string;
    };
    if (message.id !== undefined) {
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new CdpError(message.error.message));
      else waiter?.resolve(message.result ?? {});
      return;
    }
    for (const listener of this.#listeners.get(message.method ?? '') ?? []) listener(message.params ?? {}, message.sessionId);
  }
}

/** One page (tab) of a {@link Chromium}, attached in flat session mode. */
export class Page {
  readonly #browser: Chromium;
  readonly #sessionId: string;
  readonly #targetId: string;

  private constructor(browser: Chromium, sessionId: string, targetId: string) {
    this.#browser = browser;
    this.#sessionId = sessionId;
    this.#targetId = targetId;
  }

  /** Opens a new blank page with the given viewport. */
  static async open(browser: Chromium, width: number, height: number): Promise<Page> {
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(browser, sessionId as string, targetId as string);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  /** Closes the page, as a user closes a tab: the browser tears its document down. */
  async close(): Promise<void> {
    await this.#browser.send('Target.closeTarget', { targetId: this.#targetId });
  }

  /** Sends a command to this page's session. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.#browser.send(method, params, this.#sessionId);
  }

  /** Runs `source` before any script of every document this page loads. */
  async addInitScript(source: string): Promise<void> {
    await this.send('Page.addScriptToEvaluateOnNewDocument', { source });
  }

  /** Navigates and waits for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => {
      const listener: Listener = (_params, sessionId) => {
        if (sessionId === this.#sessionId) resolve();
      };
      this.#browser.on('Page.loadEventFired', listener);
    });
    const { errorText } = await this.send('Page.navigate', { url });
    if (typeof errorText === 'string') throw new CdpError(`cannot load ${url}: ${errorText}`);
    await loaded;
  }

  /**
   * Evaluates an expression in the page and returns its value (JSON-serialisable values only).
   * Promises are awaited.
   */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (answer['exceptionDetails'] !== undefined) {
      throw new CdpError(`page script failed: ${JSON.stringify(answer['exceptionDetails']).slice(0, 500)}`);
    }
    return (answer['result'] as { value: T }).value;
  }

  /** A PNG of the viewport. */
  async screenshot(): Promise<Buffer> {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png' });
    return Buffer.from(data as string, 'base64');
  }
}
