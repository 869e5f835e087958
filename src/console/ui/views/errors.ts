/** Errors grouped by code and message, each group with a bulk re-drive; purge of old rows. */
import { get, post, type Session } from '../api.js';
import { clear, h, statusBadge } from '../dom.js';
import { confirmDialog, toast } from './confirm.js';

interface Group {
  code: string;
  message: string;
  example: string;
  count: number;
  messageTypes: string[];
  statuses: string[];
  lastAt: string;
}

export function errorsView(root: HTMLElement, session: Session): void {
  const box = h('div', { class: 'card' });
  root.append(
    h('h1', {}, 'Errors'),
    h('p', { class: 'muted' }, 'ERROR and FAILED rows grouped by error code and message (ids and numbers folded).'),
    box,
  );
  const load = async (): Promise<void> => {
    const res = await get<{ groups: Group[]; scanned: number; truncated: boolean }>('errors');
    clear(box);
    if (res.groups.length === 0)
      return void box.append(h('p', { class: 'muted', 'data-testid': 'no-errors' }, 'No ERROR or FAILED rows.'));
    box.append(
      h(
        'table',
        { class: 'grid', 'data-testid': 'error-groups' },
        h(
          'thead',
          {},
          h('tr', {}, ...['Rows', 'Code', 'Message', 'Types', 'Statuses', 'Last', ''].map((t) => h('th', {}, t))),
        ),
        h(
          'tbody',
          {},
          ...res.groups.map((g) =>
            h(
              'tr',
              { 'data-testid': 'error-group' },
              h('td', { class: 'num' }, g.count),
              h('td', { class: 'mono' }, g.code || '–'),
              h('td', { class: 'error-text', title: g.example }, g.message),
              h(
                'td',
                {},
                ...g.messageTypes.map((t) =>
                  h(
                    'a',
                    { class: 'chip', href: `#/rows?type=${encodeURIComponent(t)}&error=${encodeURIComponent(g.code)}` },
                    t,
                  ),
                ),
              ),
              h('td', {}, ...g.statuses.map(statusBadge)),
              h('td', { class: 'mono small' }, g.lastAt.replace('T', ' ').replace('Z', '')),
              h(
                'td',
                {},
                session.readOnly
                  ? null
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'small',
                        'data-testid': 'redrive-group',
                        onclick: async () => {
                          if (
                            !(await confirmDialog(
                              `Re-drive ${g.count} rows?`,
                              `Every row failing with “${g.code}: ${g.message}” goes to RETRY with its attempts reset.`,
                              `Re-drive ${g.count}`,
                            ))
                          )
                            return;
                          try {
                            const r = await post<{ redriven: number }>('errors/redrive', {
                              code: g.code,
                              message: g.message,
                            });
                            toast(`re-drove ${r.redriven} row(s)`);
                            await load();
                          } catch (e) {
                            toast((e as Error).message, 'error');
                          }
                        },
                      },
                      `Re-drive ${g.count}`,
                    ),
              ),
            ),
          ),
        ),
      ),
    );
    if (res.truncated) box.append(h('p', { class: 'muted' }, `Grouped the first ${res.scanned} rows only.`));
  };
  void load().catch((e: unknown) => toast((e as Error).message, 'error'));
  if (!session.readOnly) root.append(purgePanel());
}

function purgePanel(): HTMLElement {
  const days = h('input', { name: 'days', type: 'number', min: 0, value: '7', 'aria-label': 'days' });
  const status = h(
    'select',
    { name: 'status', 'aria-label': 'purge statuses' },
    h('option', { value: 'COMPLETED,FAILED' }, 'COMPLETED and FAILED'),
    h('option', { value: 'COMPLETED' }, 'COMPLETED'),
    h('option', { value: 'FAILED' }, 'FAILED'),
  );
  const run = async (): Promise<void> => {
    const olderThanMs = Math.round(Number(days.value) * 86_400_000);
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) return toast('days must be a number ≥ 0', 'error');
    const body = { status: status.value, olderThanMs, all: olderThanMs === 0 };
    try {
      const plan = await post<{ count: number; truncated: boolean }>('purge', { ...body, dryRun: true });
      if (plan.count === 0) return toast('nothing to purge');
      if (
        !(await confirmDialog(
          `Delete ${plan.truncated ? 'at least ' : ''}${plan.count} rows?`,
          `${status.value} rows last updated more than ${days.value} day(s) ago are deleted for good, with payloads and working data no row needs any more.`,
          `Delete ${plan.count}`,
        ))
      )
        return;
      const res = await post<{ deleted: number }>('purge', body);
      toast(`deleted ${res.deleted} row(s)`);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, 'Purge'),
    h(
      'div',
      { class: 'bar' },
      'Delete ',
      status,
      ' rows older than ',
      days,
      ' days ',
      h('button', { type: 'button', class: 'danger', 'data-testid': 'purge', onclick: () => void run() }, 'Purge…'),
    ),
  );
}
