#!/usr/bin/env node
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from '../lib/stats.js';
import { wallMs } from './storm-client.js';

// A child process of `npm run bench -- --storm`: one publisher, each POST waiting for its answer
// before the next (rate 0), or paced at a steady rate, on its own process so the load's reading
// does not starve it. Prints one JSON line with what it did.
// `publisher-main.js <publish url> <seconds> <data bytes> <rate per second, 0: sequential>`

const [url = '', secondsText = '5', bytesText = '30', rateText = '0'] = process.argv.slice(2);
const seconds = Number(secondsText);
const bytes = Number(bytesText);
const rate = Number(rateText);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(data: string): Promise<number> {
  const body = JSON.stringify({ data });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const answers: number[] = [];
let refused = 0;
const startedAt = performance.now();
const sendOne = async (): Promise<void> => {
  const stamp = wallMs().toFixed(3);
  const sentAt = performance.now();
  const status = await post(`t=${stamp} ${'x'.repeat(Math.max(0, bytes - stamp.length - 3))}`);
  answers.push(performance.now() - sentAt);
  if (status !== 202) refused++;
};
if (rate === 0) {
  while (performance.now() - startedAt < seconds * 1000) await sendOne();
} else {
  const sends: Promise<void>[] = [];
  for (let i = 0; i < seconds * rate; i++) {
    const wait = startedAt + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(sendOne());
  }
  await Promise.all(sends);
}
const elapsedS = (performance.now() - startedAt) / 1000;
agent.destroy();
process.stdout.write(
  `${JSON.stringify({ sent: answers.length, refused, perSecond: answers.length / elapsedS, answerP50Ms: percentile(answers, 50), answerP99Ms: percentile(answers, 99) })}\n`,
);
