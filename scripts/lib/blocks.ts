/**
 * The one engine for generated blocks in Markdown: code quoted from a source region, transcripts
 * recorded against the running server, text rendered from code (the book, `scripts/docs/`), and
 * the sections a run writes into its page (`docs/benchmarks.md`, `scripts/bench/`). Pure text in,
 * text out; the callers do the file I/O.
 *
 * A block is an opening marker, a body (fenced, but for a section) and a closing marker:
 *
 * ```md
 * <!-- snippet: src/recipes/clock.ts#clock -->
 * ```ts
 * …the region's lines…
 * ```
 * <!-- /snippet -->
 * ```
 */

/**
 * The kinds of generated block: quoted from source, recorded from a server, rendered from code,
 * and a section that one run writes and the others keep (`<!-- section: peers -->`).
 */
export type BlockKind = 'snippet' | 'transcript' | 'generated' | 'section';

/** One generated block found in a Markdown file. */
export interface Block {
  readonly kind: BlockKind;
  /** For a snippet `path#region`, for a transcript the scenario name. */
  readonly ref: string;
  /** The text between the markers, fences included. */
  readonly body: string;
  /** The 1-based line of the opening marker, for messages. */
  readonly line: number;
}

/** A marker or region that cannot be read. */
export class DocsError extends Error {
  override readonly name = 'DocsError';
}

const OPEN = /^<!-- (snippet|transcript|generated|section): (\S+) -->$/;
const CLOSE = /^<!-- \/(snippet|transcript|generated|section) -->$/;

/**
 * Finds every generated block in a Markdown text.
 *
 * @throws {@link DocsError} when a marker is left open or closed by the wrong kind
 */
export function findBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let open: { kind: BlockKind; ref: string; line: number; start: number } | undefined;
  lines.forEach((text, index) => {
    const opening = OPEN.exec(text);
    if (opening !== null) {
      if (open !== undefined) throw new DocsError(`line ${index + 1}: a block opens inside the block of line ${open.line}`);
      open = { kind: opening[1] as BlockKind, ref: opening[2] as string, line: index + 1, start: index + 1 };
      return;
    }
    const closing = CLOSE.exec(text);
    if (closing === null) return;
    if (open === undefined || open.kind !== closing[1]) throw new DocsError(`line ${index + 1}: a closing marker with no matching opening`);
    blocks.push({ kind: open.kind, ref: open.ref, line: open.line, body: lines.slice(open.start, index).join('\n') });
    open = undefined;
  });
  if (open !== undefined) throw new DocsError(`line ${open.line}: the ${open.kind} block is never closed`);
  return blocks;
}

/**
 * Replaces the body of every block, keeping the markers.
 *
 * @param render - the new body of a block (fences included)
 */
export function replaceBlocks(markdown: string, render: (block: Block) => string): string {
  const bodies = findBlocks(markdown).map(render);
  const lines = markdown.split('\n');
  const out: string[] = [];
  let isInside = false;
  for (const text of lines) {
    if (OPEN.test(text)) {
      out.push(text, bodies.shift() as string);
      isInside = true;
    } else if (CLOSE.test(text)) {
      out.push(text);
      isInside = false;
    } else if (!isInside) out.push(text);
  }
  return out.join('\n');
}

/**
 * The lines between `// #region name` and `// #endregion name` in a source text, with their
 * common indentation removed. Nested marker lines of other regions are left out.
 *
 * @throws {@link DocsError} when the region is missing, unclosed or empty
 */
export function extractRegion(source: string, name: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  if (start === -1) throw new DocsError(`no "// #region ${name}" marker`);
  const end = lines.findIndex((line, index) => index > start && line.trim() === `// #endregion ${name}`);
  if (end === -1) throw new DocsError(`"// #region ${name}" is never closed`);
  const body = lines.slice(start + 1, end).filter((line) => !/^\s*\/\/ #(end)?region /.test(line));
  const indents = body.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0);
  if (indents.length === 0) throw new DocsError(`region "${name}" is empty`);
  const cut = Math.min(...indents);
  return body.map((line) => line.slice(cut)).join('\n');
}

/** A fenced code block; the fence grows past any backtick run inside the text. */
export function fence(language: string, text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${text}\n${ticks}`;
}

/** Splits a snippet reference `path#region`. */
export function parseSnippetRef(ref: string): { readonly path: string; readonly region: string } {
  const hash = ref.lastIndexOf('#');
  if (hash <= 0 || hash === ref.length - 1) throw new DocsError(`snippet reference "${ref}" is not of the form path#region`);
  return { path: ref.slice(0, hash), region: ref.slice(hash + 1) };
}

/** The section `name` with `body`, in its markers. */
export function section(name: string, body: string): string {
  return `<!-- section: ${name} -->\n${body.trim()}\n<!-- /section -->`;
}

/** Puts `text` (a {@link section}, markers included) into `page`, replacing the section of that name, or at the end. */
export function withSection(page: string, name: string, text: string): string {
  const isOurs = (block: Block): boolean => block.kind === 'section' && block.ref === name;
  if (!findBlocks(page).some(isOurs)) return `${page.replace(/\n*$/, '')}\n\n${text}\n`;
  const fresh = findBlocks(text).find(isOurs);
  if (fresh === undefined) throw new DocsError(`the text given for section "${name}" is not that section`);
  return replaceBlocks(page, (block) => (isOurs(block) ? fresh.body : block.body));
}

/** `page` with the section `name` of `previous` carried over, when a run rewrites the page. */
export function keepSection(page: string, previous: string, name: string): string {
  const kept = findBlocks(previous).find((block) => block.kind === 'section' && block.ref === name);
  return kept === undefined ? page : withSection(page, name, section(name, kept.body));
}
