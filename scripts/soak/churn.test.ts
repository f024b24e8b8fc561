import { churn } from './churn.js';
import { passesShort } from './short-run.js';

passesShort('churn', 'returns streams, subscribers, timers, sockets and heap to the baseline after every kind of disconnect', churn);
