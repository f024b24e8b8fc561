/** Where progress goes: a stream, and whether it is a terminal (where a line is redrawn in place). */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * The live line of a run ("watching: 14 events, 9 ids, 0:08 of 0:20"). On a terminal it is
 * redrawn in place and wiped before any other line; elsewhere (a CI log, with `--progress`) each
 * new text is a line of its own, since a log cannot redraw.
 */
export class ProgressLine {
  readonly #out: ProgressOutput;
  #shown = '';

  constructor(out: ProgressOutput) {
    this.#out = out;
  }

  /** Shows `text` as the live line. */
  show(text: string): void {
    if (this.#out.isTTY === true) this.#out.write(`\r${text}\x1b[K`);
    else if (text !== this.#shown) this.#out.write(`${text}\n`);
    this.#shown = text;
  }

  /** Prints a line of its own; on a terminal the live line is wiped first and comes back with the next {@link show}. */
  print(line: string): void {
    this.end();
    this.#out.write(`${line}\n`);
  }

  /** Wipes the live line from a terminal. */
  end(): void {
    if (this.#out.isTTY === true && this.#shown !== '') this.#out.write('\r\x1b[K');
    this.#shown = '';
  }
}

/** The live progress line of a watch: "watching: 14 events, 9 ids, 0:08 of 0:20". */
export function watchLine(state: { readonly events: number; readonly ids: number; readonly elapsedMs: number; readonly windowMs: number }): string {
  const clock = (ms: number): string => `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;
  return `watching: ${state.events} events, ${state.ids} ids, ${clock(state.elapsedMs)} of ${clock(state.windowMs)}`;
}
