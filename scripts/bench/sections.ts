/**
 * Sections of `docs/benchmarks.md` that other runs write (`--peers`, `--h2`, `--scale-out`), kept
 * between `<!-- name -->` and `<!-- /name -->` so that each run replaces only its own.
 */
function markers(name: string): readonly [string, string] {
  return [`<!-- ${name} -->`, `<!-- /${name} -->`];
}

/** Puts `section` (its markers included) into `page`, replacing an earlier one of that name, or at the end. */
export function withSection(page: string, name: string, section: string): string {
  const [open, close] = markers(name);
  const start = page.indexOf(open);
  const end = page.indexOf(close);
  if (start !== -1 && end > start) return page.slice(0, start) + section + page.slice(end + close.length);
  return `${page.replace(/\n*$/, '')}\n\n${section}\n`;
}

/** `page` with the section `name` of `previous` carried over, when a run rewrites the page. */
export function keepSection(page: string, previous: string, name: string): string {
  const [open, close] = markers(name);
  const start = previous.indexOf(open);
  const end = previous.indexOf(close);
  return start !== -1 && end > start ? withSection(page, name, previous.slice(start, end + close.length)) : page;
}

/** Wraps `body` in the markers of section `name`. */
export function section(name: string, body: string): string {
  const [open, close] = markers(name);
  return `${open}\n${body.trim()}\n${close}`;
}
