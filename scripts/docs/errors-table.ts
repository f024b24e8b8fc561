import { SSE_ERRORS } from 'sse-reference';

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
