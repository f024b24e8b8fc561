import { fdExhaustion } from './fd-exhaustion.js';
import { passesShort } from './short-run.js';

passesShort('EMFILE during a connection storm', 'keeps the streams it has, refuses new ones, logs the cause once, and recovers', fdExhaustion);
