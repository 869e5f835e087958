import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs module hook without type declarations
import { resolve } from '../../bench/harness/compiled-src-hook.mjs';

type Resolved = { url: string; format?: string };
type Resolve = (
  specifier: string,
  context: object,
  next: (s: string, c: object) => Promise<Resolved>,
) => Promise<Resolved>;
const hook = resolve as Resolve;
const SRC = new URL('../../src/', import.meta.url).href;

describe('bench: the compiled-src resolve hook', () => {
  it('leaves modules outside src/ as tsx resolved them', async () => {
    const resolved = { url: 'file:///somewhere/node_modules/bullmq/dist/esm/index.js', format: 'module' };
    await expect(hook('bullmq', {}, async () => resolved)).resolves.toBe(resolved);
  });

  it('refuses a module of src/ that has no compiled counterpart, instead of measuring other code', async () => {
    const url = `${SRC}core/__no_such_module__.ts`;
    await expect(hook('./__no_such_module__.js', {}, async () => ({ url }))).rejects.toThrow(/run npm run build/);
  });
});
