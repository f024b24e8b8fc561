// The block engine lives in scripts/lib/blocks.ts. This path stays only until the last import of
// it moves (scripts/conformance-docs.ts, being reworked in the same round): import the lib.
export * from '../lib/blocks.js';
