import { slowBody } from './slow-body.js';
import { passesShort } from './short-run.js';

passesShort('slow bodies', 'closes a trickled body at once where it is not read, answers 408 where it is, and keeps serving', slowBody);
