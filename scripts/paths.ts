import { fileURLToPath } from 'node:url';

/** The repository root, from a compiled script in `dist/scripts/`. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
