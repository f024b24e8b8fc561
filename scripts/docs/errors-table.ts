import { HTTP_ERRORS } from '#internal/http/errors.js';
import { SSE_ERRORS } from '#internal/protocol/errors.js';

type Spec = (typeof SSE_ERRORS)[keyof typeof SSE_ERRORS];

/** Every code of `SSE_ERRORS` whose class is (or is not) `SseError` itself, in the table's order. */
function rowsOf(isEvent: boolean): [string, Spec][] {
  return (Object.entries(SSE_ERRORS) as [string, Spec][]).filter(([, spec]) => (spec.class === 'SseError') === isEvent);
}

/** `docs/reference/errors.md`'s table of the codes an event is refused with: `SseError` itself. */
export function renderEventErrors(): string {
  const rows = ['| code | status | thrown by | when | fix |', '| --- | --- | --- | --- | --- |'];
  for (const [code, spec] of rowsOf(true)) {
    for (const use of spec.cases) rows.push(`| \`${code}\` | ${spec.status} | ${use.thrownBy} | ${use.when} | ${use.fix} |`);
  }
  return rows.join('\n');
}

/** `docs/reference/errors.md`'s table of the other library errors: the subclasses of `SseError`. */
export function renderStoreErrors(): string {
  const rows = ['| code | class | status | thrown by | when | fix |', '| --- | --- | --- | --- | --- | --- |'];
  for (const [code, spec] of rowsOf(false)) {
    for (const use of spec.cases) rows.push(`| \`${code}\` | \`${spec.class}\` | ${spec.status} | ${use.thrownBy} | ${use.when} | ${use.fix} |`);
  }
  return rows.join('\n');
}

/**
 * `docs/reference/errors.md`'s table of the errors the reference server answers, from
 * `HTTP_ERRORS`: one row per use, and one row for neighbours that share their route and reason
 * (the library's codes `POST /publish` passes on).
 */
export function renderHttpErrors(): string {
  const merged: { statuses: number[]; codes: string[]; route: string; when: string }[] = [];
  for (const [code, spec] of Object.entries(HTTP_ERRORS)) {
    for (const use of spec.uses) {
      const last = merged.at(-1);
      if (last !== undefined && last.route === use.route && last.when === use.when) {
        if (!last.statuses.includes(spec.status)) last.statuses.push(spec.status);
        last.codes.push(code);
      } else {
        merged.push({ statuses: [spec.status], codes: [code], route: use.route, when: use.when });
      }
    }
  }
  const rows = ['| status | code | route | when |', '| --- | --- | --- | --- |'];
  for (const row of merged) rows.push(`| ${row.statuses.join(', ')} | ${row.codes.map((code) => `\`${code}\``).join(', ')} | ${row.route} | ${row.when} |`);
  return rows.join('\n');
}
