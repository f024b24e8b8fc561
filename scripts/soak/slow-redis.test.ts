import { slowRedis } from './slow-redis.js';
import { passesShort } from './short-run.js';

passesShort('a slow Redis', 'answers publishes within the publish timeout with a clear error, keeps streams up, and loses nothing acknowledged', slowRedis);
