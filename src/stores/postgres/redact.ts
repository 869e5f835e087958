/**
 * Keeps credentials out of what the store says: the password of a connection string is
 * replaced by `***` in every error message the store builds. (node-postgres' own errors
 * do not repeat the connection string; the store wraps them in messages of its own.)
 */
import { redactText } from '../../core/redact.js';

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, and any literal `secret` → `***`. */
export const redactSecrets: (text: string, secrets?: readonly string[]) => string = redactText;

/** The password of a connection string, or undefined (for redacting it wherever it might appear). */
export function passwordOf(connectionString: string): string | undefined {
  try {
    const password = new URL(connectionString).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
