/** The console's UI: a hash router over the views, a login form when the server asks for one. */
import 'uplot/dist/uPlot.min.css';
import './console.css';
import { ApiError, get, post, setCsrf, whenUnauthenticated, type Session } from './api.js';
import { h } from './dom.js';
import { toast } from './views/confirm.js';
import { errorsView } from './views/errors.js';
import { flowView } from './views/flow.js';
import { keysView } from './views/keys.js';
import { overviewView } from './views/overview.js';
import { rowsView } from './views/rows.js';
import { timelineView } from './views/timeline.js';

const app = document.getElementById('app') as HTMLElement;
let session: Session;
let viewAbort = new AbortController();

const NAV = [
  ['#/overview', 'Overview'],
  ['#/flow', 'Flow map'],
  ['#/rows', 'Rows'],
  ['#/errors', 'Errors'],
  ['#/keys', 'Parked keys'],
] as const;

function route(): void {
  viewAbort.abort();
  viewAbort = new AbortController();
  const [path = '', search = ''] = location.hash.replace(/^#/, '').split('?');
  const main = h('main', {});
  const nav = h(
    'nav',
    {},
    h('span', { class: 'brand' }, 'Eventyard'),
    ...NAV.map(([href, label]) => h('a', { href, class: path === href.slice(1) ? 'active' : '' }, label)),
    h('span', { class: 'store', title: 'store' }, session.store),
    session.readOnly ? h('span', { class: 'chip' }, 'read-only') : null,
    session.authRequired
      ? h(
          'button',
          {
            type: 'button',
            class: 'secondary small',
            onclick: () => void post('logout', {}).then(() => location.reload()),
          },
          'Log out',
        )
      : null,
  );
  app.replaceChildren(nav, main);
  const params = new URLSearchParams(search);
  if (path.startsWith('/event/')) timelineView(main, decodeURIComponent(path.slice('/event/'.length)), session);
  else if (path === '/flow') flowView(main, viewAbort.signal);
  else if (path === '/rows') rowsView(main, params, session);
  else if (path === '/errors') errorsView(main, session);
  else if (path === '/keys') keysView(main, session);
  else overviewView(main, viewAbort.signal);
}

function loginView(message?: string): void {
  viewAbort.abort();
  const token = h('input', {
    name: 'token',
    type: 'password',
    placeholder: 'token or password',
    autocomplete: 'current-password',
    'aria-label': 'token or password',
  });
  const user = h('input', {
    name: 'username',
    placeholder: 'user (basic auth only)',
    autocomplete: 'username',
    'aria-label': 'user',
  });
  const form = h(
    'form',
    {
      class: 'login card',
      'data-testid': 'login',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const body = user.value === '' ? { token: token.value } : { username: user.value, password: token.value };
        try {
          const res = await post<{ csrfToken: string }>('login', body);
          setCsrf(res.csrfToken);
          await start();
        } catch (err) {
          loginView(err instanceof ApiError ? err.message : 'login failed');
        }
      },
    },
    h('h1', {}, 'Eventyard console'),
    message === undefined ? null : h('p', { class: 'c-FAILED', 'data-testid': 'login-error' }, message),
    user,
    token,
    h('button', { type: 'submit' }, 'Log in'),
  );
  app.replaceChildren(form);
}

async function start(): Promise<void> {
  session = await get<Session>('session');
  setCsrf(session.csrfToken);
  if (session.authRequired && !session.authenticated) return loginView();
  route();
}

whenUnauthenticated(() => loginView('Your session ended: log in again.'));
window.addEventListener('hashchange', () => {
  if (session?.authenticated || session?.authRequired === false) route();
});
start().catch((e: unknown) => toast((e as Error).message, 'error'));
