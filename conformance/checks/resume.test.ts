import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Probe } from '../probe.js';
import { UNPLACEABLE } from './resume.js';

// A probe value counts only if it reaches the server as sent: Node's own HTTP parser is the witness.
describe('the Last-Event-ID values the suite sends', () => {
  it('reach a server byte for byte (none is normalised by HTTP, as " 7" is to "7")', async () => {
    const received: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      received.push(req.headers['last-event-id'] as string | undefined);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      for (const [label, value] of UNPLACEABLE) {
        received.length = 0;
        await new Probe({ url, headers: [['Last-Event-ID', value], ['Connection', 'close']], timeoutMs: 2000 }).done;
        // Node hands header bytes over as latin1: the same bytes, one character each.
        assert.equal(received[0], typeof value === 'string' ? value : value.toString('latin1'), label);
      }
    } finally {
      server.close();
    }
  });

  it('holds the proof that the witness sees normalisation: " 7" arrives as "7"', async () => {
    let received: string | undefined;
    const server = createServer((req, res) => {
      received = req.headers['last-event-id'] as string | undefined;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await new Probe({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, headers: [['Last-Event-ID', ' 7'], ['Connection', 'close']], timeoutMs: 2000 }).done;
      assert.equal(received, '7');
    } finally {
      server.close();
    }
  });
});
