import { heapLimit } from './heap-limit.js';
import { passesShort } from './short-run.js';

passesShort('a small heap under bursts to slow readers', 'cuts every slow reader before the heap fills, and does not crash', heapLimit);
