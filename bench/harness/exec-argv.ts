import { fileURLToPath } from 'node:url';

/**
 * Node flags of every bench child: tsx for the bench's own TypeScript, then compiled-src.mjs
 * so that Eventyard itself runs as the compiled dist/ code users get (see that file).
 */
export const CHILD_EXEC_ARGV: readonly string[] = [
  '--import',
  'tsx',
  '--import',
  fileURLToPath(new URL('./compiled-src.mjs', import.meta.url)),
];
