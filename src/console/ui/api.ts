/** The console's JSON API, as the UI calls it: same origin, the CSRF header on every POST. */
export interface Session {
  authRequired: boolean;
  authenticated: boolean;
  readOnly: boolean;
  csrfToken: string | null;
  store: string;
  traceUrl: string | null;
}

export interface Row {
  eventId: string;
  messageType: string;
  table: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  availableAt: string;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  lastError: string | null;
  orderingKey: string | null;
  groupKey: string | null;
  priority: number;
  traceparent: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrf: string | null = null;
let onUnauthenticated: () => void = () => undefined;

export function setCsrf(token: string | null): void {
  csrf = token;
}

export function whenUnauthenticated(fn: () => void): void {
  onUnauthenticated = fn;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    if (csrf !== null) headers['x-eventyard-csrf'] = csrf;
  }
  const res = await fetch(`api/${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) {
    if (res.status === 401 && path !== 'login') onUnauthenticated();
    throw new ApiError(res.status, data.error?.code ?? 'HTTP', data.error?.message ?? res.statusText);
  }
  return data as T;
}

export const get = <T>(path: string): Promise<T> => call<T>('GET', path);
export const post = <T>(path: string, body: unknown): Promise<T> => call<T>('POST', path, body);

export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
