import { crashPublish } from './crash-publish.js';
import { passesShort } from './short-run.js';

passesShort('kill -9 while publishing with a history file', 'keeps every event answered 202, in order, exactly once, and the following client sees no gap', crashPublish);
