import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Channel as NodeChannel } from './hub/channel.js';
import { Channel, encodeEvent } from './web.js';

const DIST = dirname(fileURLToPath(import.meta.url));

/**
 * The code of a compiled file without its comments and the contents of its string and template
 * literals: what is left names identifiers only, so a comment that mentions `Buffer` is no hit.
 * A scanner, not a parser: good for what tsc emits (no regex literal here holds a quote).
 */
function codeOf(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      i = end === -1 ? source.length : end;
    } else if (c === '/' && next === '*') {
      i = source.indexOf('*/', i + 2) + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += `${c}${c}`;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Every module specifier a compiled ES module imports or re-exports, static or dynamic. */
function specifiersOf(source: string): string[] {
  return [...source.matchAll(/(?:^|[;\s])(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*\(?\s*['"]([^'"]+)['"]/gm)].map(
    (match) => (match[1] ?? match[2]) as string,
  );
}

/** The files `entry`'s import graph reaches, with the text of each. */
async function importGraph(entry: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    const source = await readFile(file, 'utf8');
    files.set(file, source);
    for (const specifier of specifiersOf(source)) {
      // A bare or `node:` specifier is a dependency the portable entry must not have.
      assert.ok(specifier.startsWith('.'), `${file.slice(DIST.length + 1)} imports ${specifier}`);
      queue.push(join(dirname(file), specifier));
    }
  }
  return files;
}

describe('sse-reference/web (portable)', () => {
  it('imports nothing outside itself and names neither Buffer nor process, in its whole compiled graph', async () => {
    const graph = await importGraph(join(DIST, 'web.js'));
    // The walk itself must work: the channel, its stream and its resume are in it.
    for (const file of ['hub/portable-channel.js', 'stream/web-stream.js', 'hub/resume.js', 'protocol/web-encode.js']) {
      assert.ok(graph.has(join(DIST, file)), `${file} is in the graph`);
    }
    for (const [file, source] of graph) {
      const code = codeOf(source);
      for (const name of ['Buffer', 'process', 'require']) {
        assert.doesNotMatch(code, new RegExp(`\\b${name}\\b`), `${file.slice(DIST.length + 1)} names ${name}`);
      }
    }
  });

  it('serves a resumed stream under plain Node with the Buffer, process and setImmediate globals hidden from it', async () => {
    // A child process: the globals go for the whole process, and the test runner needs them.
    const script = `
      const out = process.stdout;
      const exit = process.exit.bind(process);
      const timer = setTimeout(() => exit(3), 5000);
      // Node's own fetch classes (undici) use the Buffer global inside Response: the globals stay
      // for Node's internals, and are absent (undefined, and counted) for any caller in dist/.
      const dist = ${JSON.stringify(new URL('.', import.meta.url).href)};
      const touched = [];
      for (const name of ['Buffer', 'process', 'setImmediate', 'require']) {
        const value = globalThis[name];
        Object.defineProperty(globalThis, name, {
          configurable: true,
          get() {
            const caller = new Error().stack.split('\\n')[2] ?? '';
            if (!caller.includes(dist)) return value;
            // setImmediate is looked for (absent, the channel takes a 0 ms timer); the others must not be read.
            if (name !== 'setImmediate') touched.push(name + ' ' + caller.trim());
            return undefined;
          },
        });
      }
      const { Channel } = await import(${JSON.stringify(new URL('./web.js', import.meta.url).href)});
      const channel = new Channel({ epoch: '0123456789ab' });
      channel.publish({ event: 'price', data: { eur: 1 } });
      channel.publish({ data: 'two' });
      const response = channel.response(new Request('http://localhost/feed', { headers: { 'last-event-id': '0123456789ab-1' } }));
      const reader = response.body.getReader();
      setTimeout(() => channel.publish({ data: 'three' }), 5);
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes('three')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      await reader.cancel();
      clearTimeout(timer);
      out.write(JSON.stringify({ touched, status: response.status, type: response.headers.get('content-type'), text, subscribers: channel.stats.subscribers }));
    `;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (error, out, err) => (error === null ? resolve(out) : reject(new Error(`${error.message}\n${out}\n${err}`))));
    });
    const result = JSON.parse(stdout) as { touched: string[]; status: number; type: string; text: string; subscribers: number };
    assert.deepEqual(result.touched, [], 'no global read by the entry\'s code');
    assert.equal(result.status, 200);
    assert.equal(result.type, 'text/event-stream; charset=utf-8');
    // The retry hint (jittered), the replay after event 1, then the live event.
    assert.match(result.text, /^retry: \d+\n\nid: 0123456789ab-2\ndata: two\n\nid: 0123456789ab-3\ndata: three\n\n$/);
    assert.equal(result.subscribers, 0, 'the cancelled body unsubscribed');
  });

  it('writes the same bytes as the root Channel: Uint8Array here, Buffer (the fast path) there', () => {
    const portable = new Channel({ epoch: '0123456789ab' });
    const node = new NodeChannel({ epoch: '0123456789ab' });
    for (const channel of [portable, node]) {
      channel.publish({ event: 'price', data: { eur: 1.08 } });
      channel.publish({ data: 'é\nline' });
    }
    const portableInitial = portable.subscribe({ deliver: () => {} }, '0123456789ab-0').initial;
    const nodeInitial = node.subscribe({ deliver: () => {} }, '0123456789ab-0').initial;
    assert.ok(portableInitial instanceof Uint8Array && !Buffer.isBuffer(portableInitial));
    assert.ok(Buffer.isBuffer(nodeInitial));
    assert.deepEqual(Buffer.from(portableInitial), nodeInitial);
    assert.ok(node instanceof Channel, "the root Channel is the portable one plus Node's attach");
    assert.deepEqual(Buffer.from(encodeEvent({ id: '1', data: 'x' })), Buffer.from('id: 1\ndata: x\n\n'));
  });
});
