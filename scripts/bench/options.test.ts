import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FULL, H2, parseBenchArgs, PEERS, QUICK, wholeFlag } from './options.js';

describe('parseBenchArgs', () => {
  it('runs the full profile and rewrites the docs by default', () => {
    const request = parseBenchArgs([]);
    assert.equal(request.profile, FULL);
    assert.equal(request.writeDocs, true);
    assert.deepEqual(FULL.streamCounts, [1000, 10_000]);
  });

  it('--quick measures C = 1,000 only and leaves the docs alone', () => {
    const request = parseBenchArgs(['--quick']);
    assert.equal(request.profile, QUICK);
    assert.deepEqual(request.profile.streamCounts, [1000]);
    assert.equal(request.writeDocs, false);
  });

  it('takes an external server with its publish URL and pid', () => {
    const request = parseBenchArgs(['--url', 'http://127.0.0.1:9/sse', '--publish-url', 'http://127.0.0.1:9/pub', '--pid', '42']);
    assert.deepEqual(request.target, { streamUrl: 'http://127.0.0.1:9/sse', publishUrl: 'http://127.0.0.1:9/pub', pid: 42 });
    assert.equal(request.writeDocs, false);
  });

  it('takes a stream URL alone, to measure streams and memory only', () => {
    assert.deepEqual(parseBenchArgs(['--url', 'http://127.0.0.1:9/sse']).target, { streamUrl: 'http://127.0.0.1:9/sse' });
  });

  it('refuses what it cannot act on, saying what to change', () => {
    assert.throws(() => parseBenchArgs(['--pid', '42']), /give its stream with --url/);
    assert.throws(() => parseBenchArgs(['--reps', '0']), RangeError);
    assert.throws(() => parseBenchArgs(['--fast']), TypeError);
  });

  it('--reps and --cpu-prof adjust the run', () => {
    const request = parseBenchArgs(['--reps', '5', '--cpu-prof']);
    assert.equal(request.profile.reps, 5);
    assert.deepEqual(request.serverNodeArgs, ['--cpu-prof', '--cpu-prof-dir=bench-results/profiles']);
  });

  it('--peers measures the peers too, three repetitions with fewer bursts unless told', () => {
    const request = parseBenchArgs(['--peers']);
    assert.equal(request.peers, true);
    assert.equal(request.profile, PEERS);
    assert.equal(request.profile.reps, 3);
    assert.deepEqual(request.profile.streamCounts, FULL.streamCounts);
    assert.equal(parseBenchArgs(['--peers', '--reps', '2']).profile.reps, 2);
    assert.equal(request.only, undefined);
  });

  it('--only picks servers of a peers run by the start of their names, and goes only with --peers', () => {
    assert.deepEqual(parseBenchArgs(['--peers', '--only', 'reference, floor,go']).only, ['reference', 'floor', 'go']);
    assert.throws(() => parseBenchArgs(['--only', 'go']), /give --peers too/);
  });

  it('--h2 measures C = 1,000 over the three transports', () => {
    const request = parseBenchArgs(['--h2']);
    assert.equal(request.h2, true);
    assert.deepEqual(request.profile.streamCounts, [1000]);
    assert.equal(request.profile, H2);
    assert.throws(() => parseBenchArgs(['--h2', '--peers']), /separate runs/);
    assert.throws(() => parseBenchArgs(['--peers', '--url', 'http://127.0.0.1:9/sse']), /does not go with --url/);
  });

  it('--render takes a results file and measures nothing', () => {
    assert.equal(parseBenchArgs(['--render', 'bench-results/full-x.json']).renderFrom, 'bench-results/full-x.json');
    assert.equal(parseBenchArgs([]).renderFrom, undefined);
  });
});

describe('wholeFlag', () => {
  it('takes its fallback when the flag is absent, and a whole number up to its digits', () => {
    assert.equal(wholeFlag('streams', undefined, 2000, 6), 2000);
    assert.equal(wholeFlag('streams', '999999', 0, 6), 999_999);
  });

  it('refuses zero, a leading zero, a fraction and one digit too many, naming the flag', () => {
    for (const value of ['0', '012', '1.5', '1000000']) {
      assert.throws(() => wholeFlag('streams', value, 0, 6), { name: 'TypeError', message: `--streams takes a whole number, got ${JSON.stringify(value)}.` });
    }
  });
});
