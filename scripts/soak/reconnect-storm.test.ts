import { reconnectStorm } from './reconnect-storm.js';
import { passesShort } from './short-run.js';

passesShort('reconnect storm', 'serves every returning client or tells it retry:, never another status', reconnectStorm);
