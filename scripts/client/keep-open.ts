// Page code, written in TypeScript so that it is compiled and checked; the browser test runs the
// compiled function in Chromium (`keepOpen.toString()`), so chapter 16 shows what was proven.

/** The parts of the browser's `EventSource` used here (the project compiles without DOM types). */
interface BrowserEventSource {
  readonly readyState: number;
  onopen: (() => void) | null;
  onerror: (() => void) | null;
  addEventListener(type: string, listener: (event: { readonly type: string; readonly data: string; readonly lastEventId: string }) => void): void;
  close(): void;
}
declare const EventSource: { new (url: string): BrowserEventSource; readonly CLOSED: number };

/** What {@link keepOpen} hands to the page. */
export interface KeptOpen {
  /** Stops for good: closes the current source and cancels a pending re-creation. */
  close(): void;
}

// #region keep-open
/**
 * An EventSource that survives being CLOSED: when the browser gives up (a 5xx, a 4xx, a wrong
 * Content-Type, a failed CORS check), make a new one after a jittered, growing delay, resuming
 * from the last id seen through `?lastEventId=` (a new EventSource sends no Last-Event-ID).
 */
export function keepOpen(
  url: string,
  types: readonly string[],
  onEvent: (event: { readonly type: string; readonly data: string; readonly lastEventId: string }) => void,
  baseDelayMs = 1000,
  maxDelayMs = 30_000,
): KeptOpen {
  let source: BrowserEventSource;
  let lastEventId = '';
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = (): void => {
    const resume = lastEventId === '' ? '' : (url.includes('?') ? '&' : '?') + 'lastEventId=' + encodeURIComponent(lastEventId);
    source = new EventSource(url + resume);
    source.onopen = () => {
      failures = 0;
    };
    source.onerror = () => {
      // CONNECTING: the browser retries by itself. CLOSED: it never will; that is our job.
      if (source.readyState !== EventSource.CLOSED) return;
      failures++;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1)) * (0.8 + Math.random() * 0.4);
      timer = setTimeout(open, delay);
    };
    for (const type of ['message', ...types]) {
      source.addEventListener(type, (event) => {
        if (event.lastEventId !== '') lastEventId = event.lastEventId;
        onEvent(event);
      });
    }
  };
  open();
  return {
    close() {
      clearTimeout(timer);
      source.close();
    },
  };
}
// #endregion keep-open
