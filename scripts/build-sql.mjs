#!/usr/bin/env node
// Generates one TypeScript module per store from its SQL and Lua files
// (graphile-worker's buildSqlModule): src/stores/<store>/{sql,lua}/*.{sql,lua}
// → src/stores/<store>/generated/scripts.ts, exporting each file's text as a constant named
// after the file (claim-batch.sql → claimBatch). A line `--@include name` is replaced by the
// text of includes/name.lua (or includes/name.sql) next to the file, indented as the line is,
// so shared fragments are included, not copied. Schema migrations (schema-v*.sql) never
// include: their text is history and must not change when a fragment does.
//
// Lua files are built twice: as one function library (generated/library.ts, `library`
// below), which the Redis store calls with FCALL, and as standalone scripts for EVALSHA where
// a server refuses functions. A standalone script keeps only the top-level declarations of
// its fragments that it uses (`shake`): Redis runs a script's whole text on every call, so
// each `local function` a fragment defines is a closure built per call whether the script
// calls it or not.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join, dirname, basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'stores');
const camel = (name) => name.replace(/-(\d+)$/, '').replace(/[-_](\w)/g, (_, c) => c.toUpperCase());

function inline(dir, kind, text, seen = new Set()) {
  return text.replace(/^([ \t]*)--@include ([\w-]+)[ \t]*$/gm, (_, indent, name) => {
    if (seen.has(name)) throw new Error(`include cycle at ${name}`);
    const path = join(dir, 'includes', `${name}.${kind}`);
    let fragment = inline(dir, kind, readFileSync(path, 'utf8').trimEnd(), new Set([...seen, name]));
    if (kind === 'lua' && indent === '') fragment = `--@fragment\n${fragment}\n--@end-fragment`;
    return fragment
      .split('\n')
      .map((line) => (line === '' ? line : indent + line))
      .join('\n');
  });
}

// The top-level declarations of a fragment: `local function name(` up to its `end` at
// column 0 (or the same line, for a one-line function), and `local a, b = <values>` with the
// indented lines that continue it, each with the comment lines right above it. `calls`: a
// value whose expression calls something (a call might run a command).
function declarations(lines) {
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const fn = /^local function ([\w]+)\(/.exec(lines[i]);
    const value = fn ? undefined : /^local ([\w, ]+?) = (.*)$/.exec(lines[i]);
    if (!fn && !value) continue;
    let last = i;
    if (fn && !/\bend$/.test(lines[i])) {
      while (last < lines.length && lines[last] !== 'end') last++;
      if (last === lines.length) throw new Error(`no column-0 end for local function ${fn[1]}`);
    }
    // A value may go on over indented lines (`'…' ..`, a table constructor).
    if (value) while (last + 1 < lines.length && /^[ \t]+\S/.test(lines[last + 1])) last++;
    const code = lines
      .slice(i, last + 1)
      .join('\n')
      .replace(/'[^']*'|"[^"]*"/g, "''");
    let first = i;
    while (first > 0 && lines[first - 1].startsWith('--') && !lines[first - 1].startsWith('--@')) first--;
    const names = fn ? [fn[1]] : value[1].split(',').map((n) => n.trim());
    const calls = !fn && /[\w\])]\s*\(/.test(code.slice(code.indexOf('=')));
    found.push({ names, first, last, from: i, kind: fn ? 'function' : 'value', calls });
    i = last;
  }
  return found;
}

// Drops the declarations of fragments (between the markers `inline` leaves) that nothing
// else in the script names, until none is left to drop (a helper only a dropped helper
// called goes too). A name in a comment or a string counts as a use: that keeps text, never
// removes what runs.
function shake(text) {
  let lines = text.split('\n');
  for (;;) {
    const fragments = [];
    let depth = 0;
    lines.forEach((line, i) => {
      if (line === '--@fragment') depth++;
      else if (line === '--@end-fragment') depth--;
      else if (depth > 0) fragments.push(i);
    });
    const inFragment = new Set(fragments);
    // Only declarations that call nothing are candidates: dropping them changes nothing but
    // the text.
    const candidates = declarations(lines).filter((d) => inFragment.has(d.from) && !d.calls);
    const drop = candidates.find((d) => {
      const rest = lines.filter((_, i) => i < d.first || i > d.last).join('\n');
      return d.names.every((n) => !new RegExp(`\\b${n}\\b`).test(rest));
    });
    if (drop === undefined) return lines.filter((l) => l !== '--@fragment' && l !== '--@end-fragment').join('\n');
    lines = lines.filter((_, i) => i < drop.first || i > drop.last);
  }
}

// A constant of a fragment (an UPPER_CASE name) is set once per library; every other value
// is per-call state, set again at the start of each function.
const isConstant = (names) => names.every((n) => /^[A-Z][A-Z0-9_]*$/.test(n));

// The Redis function library (Redis 7 `FUNCTION LOAD`): every fragment defined once, when
// the library loads, and every script a function of it. A script run by EVAL builds each
// helper it keeps as a closure on every call; a function finds them built. Every top-level
// name of the fragments is declared first (so their order does not matter), functions and
// constants are set at load, and the state values (`local queue = {}`) go into
// `beginCall`, which each function runs first with its KEYS and ARGV. Scripts include
// fragments only at their top level, so a script's body is its text without the includes.
function library(dir, scriptFiles) {
  const names = [];
  const defined = [];
  const state = [];
  for (const file of readdirSync(join(dir, 'includes')).sort()) {
    if (extname(file) !== '.lua') continue;
    const lines = readFileSync(join(dir, 'includes', file), 'utf8')
      .trimEnd()
      .split('\n');
    if (lines.some((l) => /--@include /.test(l))) throw new Error(`includes/${file}: a fragment must not include`);
    const decls = declarations(lines);
    const covered = new Set();
    for (const d of decls) for (let i = d.first; i <= d.last; i++) covered.add(i);
    lines.forEach((line, i) => {
      if (!covered.has(i) && line !== '' && !line.startsWith('--')) {
        throw new Error(`includes/${file}:${i + 1}: only local declarations may stand at a fragment's top level`);
      }
    });
    for (const d of decls) {
      names.push(...d.names);
      const text = lines.slice(d.from, d.last + 1).join('\n');
      const assigned = text.replace(/^local (function )?/, (_, fn) => fn ?? '');
      if (d.kind === 'value' && isConstant(d.names) && d.calls) {
        throw new Error(
          `includes/${file}: constant ${d.names.join(', ')} is set by a call (no command may run at load)`,
        );
      }
      if (d.kind === 'value' && !isConstant(d.names)) state.push(assigned);
      else defined.push(lines.slice(d.first, d.from).concat(assigned.split('\n')).join('\n'));
    }
  }
  const unknown = [...READ_ONLY_SCRIPTS].find((n) => !scriptFiles.some(([name]) => name === n));
  if (unknown) throw new Error(`read-only script ${unknown} does not exist`);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`includes: ${duplicate} is declared twice`);
  const functions = [];
  for (const [name, file] of scriptFiles) {
    const text = readFileSync(join(dir, file), 'utf8').trimEnd();
    if (/^[ \t]+--@include /m.test(text)) throw new Error(`${file}: includes must stand at the top level`);
    const body = text
      .split('\n')
      .filter((l) => !l.startsWith('--@include '))
      .map((l) => (l === '' ? l : `  ${l}`))
      .join('\n');
    const flags = READ_ONLY_SCRIPTS.has(name) ? ", flags = { 'no-writes' }" : '';
    functions.push([name, `callback = function(keys, args)\n  beginCall(keys, args)\n${body}\nend${flags}`]);
  }
  const head = [
    'local KEYS, ARGV',
    `local ${names.join(', ')}`,
    ...defined,
    'local function beginCall(keys, args)',
    '  KEYS, ARGV = keys, args',
    ...state.map((s) => `  ${s}`),
    'end',
  ].join('\n');
  const text = (prefix) =>
    [head, ...functions.map(([name, f]) => `redis.register_function{function_name = '${prefix}${name}', ${f}}`)].join(
      '\n',
    );
  const hash = createHash('sha1').update(text('')).digest('hex').slice(0, 12);
  const prefix = `ey_${hash}_`;
  return {
    name: `eventyard_${hash}`,
    text: `#!lua name=eventyard_${hash}\n${text(prefix)}\n`,
    functions: Object.fromEntries(functions.map(([name]) => [name, `${prefix}${name}`])),
  };
}

// Scripts that write nothing: their functions are flagged `no-writes` (and the store marks
// them read-only for ioredis where it runs them by EVALSHA).
const READ_ONLY_SCRIPTS = new Set(['listRows', 'peekReady', 'listParked']);

for (const store of existsSync(root) ? readdirSync(root) : []) {
  const entries = [];
  for (const kind of ['sql', 'lua']) {
    const dir = join(root, store, kind);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (extname(file) !== `.${kind}`) continue;
      const text = readFileSync(join(dir, file), 'utf8');
      if (file.startsWith('schema-v') && /^[ \t]*--@include /m.test(text)) {
        throw new Error(`${store}/${kind}/${file}: a schema migration must not include fragments`);
      }
      const inlined = inline(dir, kind, text);
      entries.push([camel(basename(file, `.${kind}`)), kind === 'lua' ? shake(inlined) : inlined]);
    }
  }
  if (entries.length === 0) continue;
  const out = join(root, store, 'generated');
  mkdirSync(out, { recursive: true });
  const body = entries.map(([name, text]) => `export const ${name} = ${JSON.stringify(text)};`).join('\n');
  writeFileSync(
    join(out, 'scripts.ts'),
    `// Generated by scripts/build-sql.mjs from ../sql and ../lua. Do not edit.\n${body}\n`,
  );
  const luaDir = join(root, store, 'lua');
  if (existsSync(luaDir)) {
    const files = readdirSync(luaDir)
      .sort()
      .filter((f) => extname(f) === '.lua')
      .map((f) => [camel(basename(f, '.lua')), f]);
    const lib = library(luaDir, files);
    writeFileSync(
      join(out, 'library.ts'),
      '// Generated by scripts/build-sql.mjs from ../lua. Do not edit.\n' +
        `export const libraryName = ${JSON.stringify(lib.name)};\n` +
        `export const library = ${JSON.stringify(lib.text)};\n` +
        `export const functionNames = ${JSON.stringify(lib.functions)} as const;\n` +
        `export const readOnlyScripts: readonly string[] = ${JSON.stringify([...READ_ONLY_SCRIPTS])};\n`,
    );
  }
}
