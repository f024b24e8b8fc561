import { eventContent } from './event-content.js';
import { passesShort } from './short-run.js';

passesShort('event content', 'delivers every accepted publish exactly and refuses the rest with a code, writing nothing half-way', eventContent);
