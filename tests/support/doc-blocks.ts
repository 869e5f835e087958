/** The TypeScript blocks of a markdown file: ```ts (type-checked and run) and ```ts no-run (type-checked). */
export interface Block {
  readonly name: string;
  readonly run: boolean;
  readonly code: string;
}

/** The ```ts blocks of a markdown file. */
export function blocksOf(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const match of text.matchAll(fence)) {
    const info = (match[2] ?? '').trim();
    if (info !== '' && info !== 'no-run') throw new Error(`${file}: unknown info string "ts ${info}"`);
    const line = text.slice(0, match.index).split('\n').length;
    blocks.push({ name: `${file}:${line}`, run: info !== 'no-run', code: match[3] ?? '' });
  }
  return blocks;
}
