/**
 * Keeps credentials out of what the store says: the password of a connection string is
 * replaced by `***` in every error message the store builds. (node-postgres' own errors
 * do not repeat the connection string; the store wraps them in messages of its own.)
 */

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, and any literal `secret` → `***`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  for (const secret of secrets) if (secret.length >= 3) out = out.replaceAll(secret, '***');
  return out;
}

/** The password of a connection string, or undefined (for redacting it wherever it might appear). */
export function passwordOf(connectionString: string): string | undefined {
  try {
    const password = new URL(connectionString).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
