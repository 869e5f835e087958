/**
 * Type-checks TypeScript sources that exist only in memory (snippets of tests and docs)
 * next to real files, with the compiler API: the diagnostics come back as text per file.
 */
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

export interface Checked {
  /** Diagnostics of each virtual file, flattened to text (`line: message`). */
  readonly byFile: ReadonlyMap<string, readonly string[]>;
}

/** The compiler options of a tsconfig file, resolved as tsc would. */
export function optionsOf(tsconfigPath: string, overrides: ts.CompilerOptions = {}): ts.CompilerOptions {
  const read = ts.readConfigFile(tsconfigPath, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(tsconfigPath));
  return { ...parsed.options, ...overrides, noEmit: true };
}

/** `files` maps absolute paths (which need not exist) to their text. */
export function typecheck(files: Readonly<Record<string, string>>, options: ts.CompilerOptions): Checked {
  const virtual = new Map(Object.entries(files).map(([path, text]) => [resolve(path), text]));
  const host = ts.createCompilerHost(options);
  const real = ts.createCompilerHost(options);
  host.fileExists = (path) => virtual.has(resolve(path)) || real.fileExists(path);
  host.readFile = (path) => virtual.get(resolve(path)) ?? real.readFile(path);
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(resolve(path));
    return text === undefined
      ? real.getSourceFile(path, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(path, text, languageVersion, true);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const byFile = new Map<string, string[]>([...virtual.keys()].map((path) => [path, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = diagnostic.file;
    const path = file === undefined ? '(global)' : resolve(file.fileName);
    const line = file === undefined ? 0 : file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1;
    const list = byFile.get(path) ?? [];
    list.push(`${line}: ${text}`);
    byFile.set(path, list);
  }
  return { byFile };
}
