import { fuzzLastEventId } from './fuzz-last-event-id.js';
import { passesShort } from './short-run.js';

passesShort('hostile Last-Event-ID fuzz', 'answers every hostile value with 200, the event stream and the right first event, with /health up throughout', fuzzLastEventId);
