/**
 * Every TypeScript block of README.md and docs/*.md, as a reader copies it: type-checked
 * with the project's strict options, and run (unless its info string says `ts no-run`)
 * in an empty directory, where it must exit 0. Imports of `eventyard` and its subpaths
 * are pointed at the sources, so the blocks stay true to the code as it is.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf, type Block } from '../support/doc-blocks.js';
import { optionsOf, typecheck, type Checked } from '../support/typecheck.js';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { default: string }>;
};

/** `eventyard` and `eventyard/x` → the source file package.json's export of it is built from. */
function pointAtSources(code: string): string {
  return code.replace(/from '(eventyard(?:\/[a-z/]+)?)'/g, (_, specifier: string) => {
    const entry = `.${specifier.slice('eventyard'.length)}`;
    const target = pkg.exports[entry];
    if (target === undefined) throw new Error(`no export ${specifier}`);
    return `from '${join(root, target.default.replace(/^\.\/dist\//, 'src/'))}'`;
  });
}

const docs = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));
const blocks = docs.flatMap((file) => blocksOf(file, readFileSync(join(root, file), 'utf8')));
const dir = join(root, '.cache', 'doc-blocks');
const fileOf = (block: Block): string => join(dir, `${block.name.replace(/[^A-Za-z0-9]+/g, '-')}.ts`);
let checked: Checked;
let cwd: string;

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const block of blocks) writeFileSync(fileOf(block), `${pointAtSources(block.code)}\nexport {};\n`);
  const files = Object.fromEntries(blocks.map((b) => [fileOf(b), readFileSync(fileOf(b), 'utf8')]));
  checked = typecheck(files, optionsOf(join(root, 'tsconfig.json')));
  cwd = mkdtempSync(join(tmpdir(), 'eventyard-doc-blocks-'));
}, 180_000);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('documentation blocks', () => {
  it('the README has the install line, a runnable quick start, and no link out of the repository', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/^npm install eventyard zod better-sqlite3/m);
    expect(blocks.filter((b) => b.name.startsWith('README.md') && b.run).length).toBeGreaterThanOrEqual(2);
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] ?? '');
    for (const link of links) expect(link, link).toMatch(/^https:\/\/github\.com\/eventyard\/eventyard\//);
    expect(readme).not.toMatch(/\.\.\/shared|DESIGN\.md/);
  });

  for (const block of blocks) {
    it(`${block.name} type-checks${block.run ? ' and runs to the end' : ''}`, () => {
      expect(checked.byFile.get(fileOf(block)) ?? []).toEqual([]);
      if (!block.run) return;
      const result = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [fileOf(block)], {
        cwd,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, `${block.name}\n${result.stdout}\n${result.stderr}`).toBe(0);
      if (block.code.includes("name: 'RQ_CHARGE'")) {
        // the quick start: the charges, the retry warning, and the event table
        expect(result.stdout).toMatch(/charged 12 for o-1/);
        expect(result.stdout).toMatch(/charged 30 for o-2/);
        expect(result.stderr).toMatch(/RQ_CHARGE failed, attempt 1 of 5, retrying in/);
        expect(result.stdout.match(/│ 'COMPLETED' /g)).toHaveLength(4);
        expect(result.stdout.match(/'IN_ORDER'/g)).toHaveLength(2);
      }
    });
  }
});
