import { diskFull } from './disk-full.js';
import { passesShort } from './short-run.js';

passesShort('ENOSPC on the history file', 'refuses publishes with 503 and a clear body, stores nothing half-written, and resumes when space returns', diskFull);
