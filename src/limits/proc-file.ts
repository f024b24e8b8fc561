import { readFileSync } from 'node:fs';

/**
 * The text of a Linux `/proc` file, or undefined where it cannot be read (another system, a
 * container without `/proc`): the limits read from there are hints for start-up notes and caps,
 * and their absence means "not known", never an error.
 */
export function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
