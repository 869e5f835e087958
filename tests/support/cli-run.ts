/**
 * Runs the `eventyard` command as users do, for the CLI's system tests: a spawned process
 * (stdin an empty pipe, not a terminal), its exit code and output.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The CLI's entry point, for tests that keep it running. */
export const CLI = join(import.meta.dirname, '../../bin/eventyard.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command to its end (stdin: an empty pipe, not a terminal). */
export function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, EVENTYARD_URL: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

export const json = (r: Run): Record<string, unknown> => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

export const noStack = (r: Run): void => {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
};
