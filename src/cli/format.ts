/** Human output of the CLI: aligned tables, ages, rows as JSON. */

export function table(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [row(header), ...lines.map(row)].join('\n');
}

/** `950ms`, `42s`, `3m 20s`, `5h 02m`, `3d 04h`. */
export function age(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}

/** Control characters (terminal escapes from attacker-controlled rows) shown as `\xNN`. */
export function safe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export const firstLine = (text: string | null, max = 60): string => {
  if (text === null) return '';
  const line = safe(text.split('\n', 1)[0] ?? '');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};
