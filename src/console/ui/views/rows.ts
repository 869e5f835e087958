/** Rows: filters (table, type, status, event, LAST_ERROR text, time range), paging, re-drive. */
import { get, post, query, type Row, type Session } from '../api.js';
import { clear, h, STATUSES, statusBadge, TABLES } from '../dom.js';
import { confirmDialog, toast } from './confirm.js';

const FILTERS = ['table', 'type', 'status', 'event', 'error', 'since', 'until'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

export function rowsView(root: HTMLElement, params: URLSearchParams, session: Session): void {
  const filters: Filters = {};
  for (const f of FILTERS) {
    const v = params.get(f);
    if (v !== null && v !== '') filters[f] = v;
  }
  const input = (name: (typeof FILTERS)[number], placeholder: string): HTMLInputElement =>
    h('input', { name, placeholder, value: filters[name] ?? '', 'aria-label': name });
  const select = (name: 'table' | 'status', options: readonly string[]): HTMLSelectElement =>
    h(
      'select',
      { name, 'aria-label': name, 'data-testid': `filter-${name}` },
      h('option', { value: '' }, `any ${name}`),
      ...options.map((o) => h('option', { value: o, selected: filters[name] === o }, o)),
    );
  const form = h(
    'form',
    {
      class: 'filters card',
      onsubmit: (e: Event) => {
        e.preventDefault();
        location.hash = `#/rows${query(Object.fromEntries(new FormData(form).entries()) as Record<string, string>)}`;
      },
    },
    select('table', TABLES),
    input('type', 'message type'),
    select('status', STATUSES),
    input('event', 'event id'),
    input('error', 'error text'),
    input('since', 'since (ISO)'),
    input('until', 'until (ISO)'),
    h('button', { type: 'submit', 'data-testid': 'apply-filters' }, 'Filter'),
  );
  const list = h('div', { class: 'card' });
  const redriveAll =
    !session.readOnly && (filters.status === 'FAILED' || filters.status === 'ERROR' || filters.error !== undefined)
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'data-testid': 'redrive-filtered',
            onclick: () => void redriveFiltered(filters, () => void load(undefined)),
          },
          'Re-drive all matching',
        )
      : null;
  root.append(h('h1', {}, 'Rows'), form, h('div', { class: 'bar' }, redriveAll), list);
  const load = async (after: string | undefined): Promise<void> => {
    const page = await get<{ rows: Row[]; next: string | null }>(
      `rows${query({ ...filters, since: iso(filters.since), until: iso(filters.until), limit: '50', after })}`,
    );
    clear(list);
    list.append(rowsTable(page.rows, session, () => void load(after)));
    if (page.next !== null) {
      const next = page.next;
      list.append(h('button', { type: 'button', class: 'secondary', onclick: () => void load(next) }, 'Next page →'));
    }
  };
  void load(undefined).catch((e: unknown) => toast(String((e as Error).message), 'error'));
}

const iso = (v: string | undefined): string | undefined => {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? v : new Date(t).toISOString();
};

export function rowsTable(rows: Row[], session: Session, reload: () => void): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted', 'data-testid': 'no-rows' }, 'No rows match.');
  const head = [
    'Event',
    'Message type',
    'Status',
    'Attempts',
    'Created by',
    'Created',
    'Updated by',
    'Updated',
    'Last error',
    '',
  ];
  return h(
    'table',
    { class: 'grid', 'data-testid': 'rows' },
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', {}, t)))),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          { 'data-testid': 'row' },
          h(
            'td',
            { class: 'mono' },
            h('a', { href: `#/event/${encodeURIComponent(r.eventId)}`, 'data-testid': 'event-link' }, r.eventId),
          ),
          h('td', {}, r.messageType),
          h('td', {}, statusBadge(r.status)),
          h('td', { class: 'num' }, `${r.attempts}/${r.maxAttempts}`),
          h('td', {}, r.createdBy),
          h('td', { class: 'mono small' }, r.createdAt.replace('T', ' ').replace('Z', '')),
          h('td', {}, r.updatedBy),
          h('td', { class: 'mono small' }, r.updatedAt.replace('T', ' ').replace('Z', '')),
          h('td', { class: 'error-text', title: r.lastError ?? '' }, (r.lastError ?? '').split('\n')[0] ?? ''),
          h('td', {}, redriveButton(r, session, reload)),
        ),
      ),
    ),
  );
}

export function redriveButton(r: Row, session: Session, reload: () => void): HTMLElement | null {
  if (session.readOnly || (r.status !== 'FAILED' && r.status !== 'ERROR')) return null;
  return h(
    'button',
    {
      type: 'button',
      class: 'small',
      'data-testid': 'redrive-row',
      onclick: async () => {
        if (
          !(await confirmDialog(
            'Re-drive this row?',
            `${r.messageType} of event ${r.eventId} goes from ${r.status} to RETRY with its attempts reset.`,
            'Re-drive',
          ))
        )
          return;
        try {
          const res = await post<{ redriven: number }>('redrive', { event: r.eventId, type: r.messageType });
          toast(`re-drove ${res.redriven} row(s)`);
          reload();
        } catch (e) {
          toast((e as Error).message, 'error');
        }
      },
    },
    'Re-drive',
  );
}

async function redriveFiltered(filters: Filters, reload: () => void): Promise<void> {
  const body = { ...filters, since: iso(filters.since), until: iso(filters.until) };
  try {
    const plan = await post<{ count: number; truncated: boolean }>('redrive', { ...body, dryRun: true });
    if (plan.count === 0) return toast('no ERROR or FAILED row matches');
    if (
      !(await confirmDialog(
        `Re-drive ${plan.truncated ? 'at least ' : ''}${plan.count} rows?`,
        'Every matching ERROR and FAILED row goes to RETRY with its attempts reset.',
        `Re-drive ${plan.count}`,
      ))
    )
      return;
    const res = await post<{ redriven: number }>('redrive', body);
    toast(`re-drove ${res.redriven} row(s)`);
    reload();
  } catch (e) {
    toast((e as Error).message, 'error');
  }
}
