import { shutdownRestart } from './shutdown-restart.js';
import { passesShort } from './short-run.js';

passesShort('shutdown and restart', 'ends every stream with a retry: hint on SIGTERM, exits 0, and tells returning clients reset (epoch)', shutdownRestart);
