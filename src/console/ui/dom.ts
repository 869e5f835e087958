/**
 * The one way the UI builds DOM: text goes in as text nodes, attributes through an allow-list,
 * handlers as listeners. Nothing is ever parsed as HTML, so row content (attacker-controlled
 * payloads, errors, type names) cannot become markup or script.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void | Promise<void>)>;

const SAFE_ATTRS = new Set([
  'class',
  'id',
  'type',
  'name',
  'value',
  'placeholder',
  'title',
  'for',
  'role',
  'colspan',
  'disabled',
  'aria-label',
  'data-testid',
  'data-status',
  'autocomplete',
  'href',
  'target',
  'rel',
  'selected',
  'checked',
  'min',
  'max',
]);

/** An href is kept only when it is an in-page route (#/...) or an http(s) URL. */
export function safeHref(href: string): string | undefined {
  if (href.startsWith('#/')) return href;
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, ''), (e) => void value(e));
      continue;
    }
    if (!SAFE_ATTRS.has(name)) throw new Error(`attribute ${name} is not allowed`);
    if (name === 'href') {
      const href = safeHref(String(value));
      if (href !== undefined) el.setAttribute('href', href);
      continue;
    }
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

export function age(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  const hr = Math.floor(m / 60);
  return hr < 24 ? `${hr}h ${String(m % 60).padStart(2, '0')}m` : `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

export const STATUSES = ['UNPROCESSED', 'IN_PROGRESS', 'COMPLETED', 'ERROR', 'RETRY', 'FAILED'] as const;
export const TABLES = ['inbound', 'request', 'response', 'outbound'] as const;

export function statusBadge(status: string): HTMLElement {
  return h(
    'span',
    { class: `badge s-${STATUSES.includes(status as never) ? status : 'UNKNOWN'}`, 'data-status': status },
    status,
  );
}
