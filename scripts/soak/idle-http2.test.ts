import { idleHttp2 } from './idle-http2.js';
import { passesShort } from './short-run.js';

passesShort('idle HTTP/2 connections', 'closes h2c connections with no stream after the headers timeout, never one with a live stream', idleHttp2);
