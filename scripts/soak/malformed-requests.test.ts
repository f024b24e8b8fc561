import { malformedRequests } from './malformed-requests.js';
import { passesShort } from './short-run.js';

passesShort('malformed requests', 'answers each sensibly (400, 404, 405 with Allow, 408, 431) and keeps serving good clients', malformedRequests);
