import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckResult } from './checks/result.js';
import { parseXml, type XmlElement } from './fixtures/xml-reader.js';
import { formatJunit, xmlAttribute, xmlText } from './junit.js';
import { buildReport } from './report.js';
import { AREAS, RULES } from './rules.js';

const META = { target: 'http://127.0.0.1:1/stream?a=1&b="2"', startedAt: '2026-11-23T00:00:00.000Z', durationMs: 1234 };
const allPass = (): CheckResult[] => RULES.map((r) => ({ id: r.id, status: 'pass', evidence: 'ok' }));
const set = (results: CheckResult[], changes: Record<string, Partial<CheckResult>>): CheckResult[] => results.map((r) => ({ ...r, ...changes[r.id] }));

const cases = (suites: XmlElement): XmlElement[] => suites.children.filter((s) => s.name === 'testsuite').flatMap((s) => s.children.filter((c) => c.name === 'testcase'));
const child = (element: XmlElement, name: string): XmlElement | undefined => element.children.find((c) => c.name === name);

describe('formatJunit', () => {
  const hostile = 'bytes "\x00\x01\x1b[31m" at 3 <data> & more\r\nline 2\t\uFFFE \uD800 end';
  const results = set(allPass(), {
    'SSE-M02': { status: 'fail', evidence: hostile },
    'SSE-S04': { status: 'fail', evidence: 'Cache-Control: private' },
    'SSE-S05': { status: 'fail', evidence: 'no X-Accel-Buffering' },
    'SSE-S16': { status: 'n/a', evidence: 'stayed open' },
    'SSE-M03': { status: 'fail', evidence: 'latin1' },
  });
  const report = buildReport(results, META, { 'SSE-M03': { fail: 'legacy feed' }, 'SSE-S06': { fail: 'was broken' } });
  const xml = formatJunit(report);
  const suites = parseXml(xml);

  it('is well-formed, one testcase per rule, one testsuite per area, with counts that add up', () => {
    assert.equal(suites.name, 'testsuites');
    assert.equal(cases(suites).length, RULES.length);
    const areas = suites.children.filter((s) => s.name === 'testsuite');
    assert.deepEqual(areas.map((s) => s.attributes.name), AREAS.filter((a) => RULES.some((r) => r.area === a)));
    for (const suite of areas) {
      const own = suite.children.filter((c) => c.name === 'testcase');
      assert.equal(Number(suite.attributes.tests), own.length);
      assert.equal(Number(suite.attributes.failures), own.filter((c) => child(c, 'failure')).length);
      assert.equal(Number(suite.attributes.skipped), own.filter((c) => child(c, 'skipped')).length);
      assert.equal(suite.attributes.errors, '0');
      assert.match(suite.attributes.timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      for (const c of own) assert.equal(c.attributes.classname, suite.attributes.name);
    }
    // A MUST failure, a SHOULD failure, and a known failure that passed; ADVICE (SSE-S05) is not one.
    assert.deepEqual({ tests: suites.attributes.tests, failures: suites.attributes.failures, skipped: suites.attributes.skipped, time: suites.attributes.time }, { tests: String(RULES.length), failures: '3', skipped: '2', time: '1.234' });
  });

  it('carries the evidence, the fix hint and the spec link in a failure, and names the case by id and title', () => {
    const m02 = cases(suites).find((c) => c.attributes.name?.startsWith('SSE-M02 ')) as XmlElement;
    const rule = RULES.find((r) => r.id === 'SSE-M02');
    assert.equal(m02.attributes.name, `SSE-M02 ${rule?.title}`);
    assert.equal(m02.attributes.classname, 'status and headers');
    const failure = child(m02, 'failure') as XmlElement;
    assert.equal(failure.attributes.type, 'MUST');
    // Forbidden characters become visible escapes; everything else survives, line breaks too.
    const shown = 'bytes "\\u0000\\u0001\\u001B[31m" at 3 <data> & more\r\nline 2\t\\uFFFE \\uD800 end';
    assert.equal(failure.attributes.message, shown);
    assert.equal(failure.text, `${shown}\nfix: ${rule?.hint}\nsee: ${rule?.link}`);
  });

  it('never fails ADVICE, skips n/a and a known failure with the reason, and fails a known failure that passed', () => {
    const byId = (id: string): XmlElement => cases(suites).find((c) => c.attributes.name?.startsWith(`${id} `)) as XmlElement;
    assert.equal(child(byId('SSE-S05'), 'failure'), undefined);
    assert.match(child(byId('SSE-S05'), 'system-out')?.text ?? '', /^advice not followed: no X-Accel-Buffering\nfix: /);
    assert.equal(child(byId('SSE-S16'), 'skipped')?.attributes.message, 'stayed open');
    assert.equal(child(byId('SSE-M03'), 'skipped')?.attributes.message, 'known failure (legacy feed): latin1');
    assert.match(child(byId('SSE-S06'), 'failure')?.attributes.message ?? '', /listed as a known failure/);
    assert.equal(child(byId('SSE-M01'), 'system-out')?.text, 'ok');
  });

  it('names the target, and writes one testcase in error for an unreachable one', () => {
    const target = suites.children[0]?.children.find((c) => c.name === 'properties')?.children[0];
    assert.deepEqual(target?.attributes, { name: 'target', value: META.target });
    const unreachable = parseXml(formatJunit(buildReport([], { ...META, unreachable: 'connect ECONNREFUSED 127.0.0.1:1' })));
    assert.deepEqual([unreachable.attributes.tests, unreachable.attributes.errors, unreachable.attributes.failures], ['1', '1', '0']);
    assert.equal(cases(unreachable)[0]?.children[0]?.attributes.message, 'target unreachable: connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('XML escaping', () => {
  it('escapes markup, keeps tab, CR and LF in attributes as references, and makes forbidden characters visible', () => {
    assert.equal(xmlText('a<b>&c'), 'a&lt;b&gt;&amp;c');
    assert.equal(xmlAttribute('"x"\t\r\n'), '&quot;x&quot;&#9;&#13;&#10;');
    assert.equal(xmlText('\x00\x08\x0B\x0C\x1F\uFFFF'), '\\u0000\\u0008\\u000B\\u000C\\u001F\\uFFFF');
    assert.equal(xmlText('\uDC00\uD83D\uDE00'), '\\uDC00\uD83D\uDE00');
  });

  it('has a test reader that refuses what is not well-formed', () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    for (const bad of ['<a><b></a></b>', '<a>&</a>', '<a x="1" x="2"/>', '<a>\x01</a>', '<a/><b/>', '<a>&nbsp;</a>', '<a>&#0;</a>', '<a']) {
      assert.throws(() => parseXml(head + bad), `${JSON.stringify(bad)} was accepted`);
    }
    assert.equal(parseXml(`${head}<a x="&lt;&#10;">t&amp;</a>`).attributes.x, '<\n');
  });
});
