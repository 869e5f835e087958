/** A confirmation dialog (no window.confirm: it can be styled, tested and shows what will change). */
import { h } from '../dom.js';

export function confirmDialog(title: string, detail: string, action: string): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      overlay.remove();
      resolve(ok);
    };
    const overlay = h(
      'div',
      { class: 'overlay', role: 'dialog', 'data-testid': 'confirm' },
      h(
        'div',
        { class: 'dialog card' },
        h('h2', {}, title),
        h('p', {}, detail),
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'button', class: 'secondary', onclick: () => done(false) }, 'Cancel'),
          h(
            'button',
            { type: 'button', class: 'danger', 'data-testid': 'confirm-ok', onclick: () => done(true) },
            action,
          ),
        ),
      ),
    );
    document.body.append(overlay);
  });
}

export function toast(text: string, kind: 'ok' | 'error' = 'ok'): void {
  const el = h('div', { class: `toast ${kind}`, role: 'status', 'data-testid': 'toast' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}
