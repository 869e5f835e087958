/**
 * Parked keys: ordering keys held by a FAILED head (their later rows wait), with the two
 * operator actions: re-drive the head (it is tried again first) or skip it (the key goes on
 * with its next row; the head stays FAILED, marked EY_KEY_SKIPPED). Both ask first.
 */
import { get, post, query, type Row, type Session } from '../api.js';
import { clear, h } from '../dom.js';
import { confirmDialog, toast } from './confirm.js';

interface ParkedKey {
  table: string;
  orderingKey: string;
  waiting: number;
  head: Row;
}

export function keysView(root: HTMLElement, session: Session): void {
  const box = h('div', { class: 'card' });
  root.append(
    h('h1', {}, 'Parked keys'),
    h(
      'p',
      { class: 'muted' },
      'Ordering keys whose head ended FAILED: the later rows of each key wait until the head is re-driven or skipped.',
    ),
    box,
  );
  const act = async (key: ParkedKey, action: 'redrive' | 'skip'): Promise<void> => {
    const { head } = key;
    const ok =
      action === 'skip'
        ? await confirmDialog(
            `Skip the head of ${key.orderingKey}?`,
            `${head.messageType} ${head.eventId} stays FAILED and no longer holds its key: the ${key.waiting} waiting row(s) go on without it.`,
            'Skip head',
          )
        : await confirmDialog(
            `Re-drive the head of ${key.orderingKey}?`,
            `${head.messageType} ${head.eventId} goes to RETRY with its attempts reset and is handled before the rest of its key.`,
            'Re-drive head',
          );
    if (!ok) return;
    try {
      if (action === 'skip') {
        const r = await post<{ skipped: boolean }>('keys/skip', {
          table: head.table,
          type: head.messageType,
          event: head.eventId,
        });
        toast(r.skipped ? 'skipped: the key continues' : 'not a parked head any more', r.skipped ? 'ok' : 'error');
      } else {
        const r = await post<{ redriven: number }>('redrive', {
          table: head.table,
          type: head.messageType,
          event: head.eventId,
          status: 'FAILED',
        });
        toast(`re-drove ${r.redriven} row(s)`);
      }
      await load(undefined);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const button = (key: ParkedKey, action: 'redrive' | 'skip'): HTMLElement =>
    h(
      'button',
      {
        type: 'button',
        class: action === 'skip' ? 'small danger' : 'small',
        'data-testid': `${action}-head`,
        onclick: () => void act(key, action),
      },
      action === 'skip' ? 'Skip head' : 'Re-drive head',
    );
  const load = async (after: string | undefined): Promise<void> => {
    const page = await get<{ supported: boolean; keys: ParkedKey[]; next: string | null }>(
      `keys/parked${query({ limit: '100', after })}`,
    );
    clear(box);
    if (!page.supported)
      return void box.append(h('p', { class: 'muted' }, 'This store does not support ordering keys.'));
    if (page.keys.length === 0)
      return void box.append(h('p', { class: 'muted', 'data-testid': 'no-parked-keys' }, 'No parked keys.'));
    box.append(
      h(
        'table',
        { class: 'grid', 'data-testid': 'parked-keys' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Table', 'Ordering key', 'Waiting', 'Head', 'Failed at', 'Last error', ''].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          ...page.keys.map((k) =>
            h(
              'tr',
              { 'data-testid': 'parked-key' },
              h('td', {}, k.table),
              h('td', { class: 'mono' }, k.orderingKey),
              h('td', { class: 'num', 'data-testid': 'waiting' }, k.waiting),
              h(
                'td',
                { class: 'mono small' },
                h('a', { href: `#/event/${encodeURIComponent(k.head.eventId)}` }, k.head.eventId),
                ' ',
                k.head.messageType,
              ),
              h('td', { class: 'mono small' }, k.head.updatedAt.replace('T', ' ').replace('Z', '')),
              h('td', { class: 'error-text', title: k.head.lastError ?? '' }, (k.head.lastError ?? '').split('\n')[0]),
              h(
                'td',
                {},
                session.readOnly ? null : h('span', { class: 'bar' }, button(k, 'redrive'), button(k, 'skip')),
              ),
            ),
          ),
        ),
      ),
    );
    if (page.next !== null) {
      const next = page.next;
      box.append(
        h('button', { type: 'button', class: 'secondary small', onclick: () => void load(next) }, 'Next page'),
      );
    }
  };
  void load(undefined).catch((e: unknown) => toast((e as Error).message, 'error'));
}
