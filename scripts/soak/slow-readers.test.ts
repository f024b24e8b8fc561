import { slowReaders } from './slow-readers.js';
import { passesShort } from './short-run.js';

passesShort('slow and dead readers', 'cuts the slow readers within the memory bound, keeps the fast ones on time, and resumes each cut one with no loss', slowReaders);
