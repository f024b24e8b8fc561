import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backlogNote, readSomaxconn } from './backlog.js';

describe('readSomaxconn', () => {
  it('reads the number from the sysctl file', () => {
    assert.equal(readSomaxconn('4096\n'), 4096);
  });

  it('is undefined for text that is not a number', () => {
    assert.equal(readSomaxconn('unlimited\n'), undefined);
  });

  it('reads this machine (Linux)', () => {
    assert.ok((readSomaxconn() ?? 0) >= 1);
  });
});

describe('backlogNote', () => {
  it('says nothing when the kernel allows the backlog', () => {
    assert.equal(backlogNote(4096, 4096), undefined);
    assert.equal(backlogNote(4096, undefined), undefined);
  });

  it('names the cap and the sysctl that raises it', () => {
    assert.equal(
      backlogNote(4096, 128),
      'listen backlog: 128, not 4096: the kernel caps it at net.core.somaxconn; raise it (sysctl -w net.core.somaxconn=4096) to hold a larger reconnect storm',
    );
  });
});
