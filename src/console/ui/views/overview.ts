/** Overview: counts per table, type and status (live), and the last hour's charts. */
import uPlot from 'uplot';
import { get } from '../api.js';
import { age, clear, h, STATUSES, statusBadge } from '../dom.js';

interface TypeSummary {
  table: string;
  messageType: string;
  counts: Record<string, number>;
  total: number;
  oldestWaitingAgeMs: number | null;
}
interface Status {
  at: string;
  types: TypeSummary[];
  totals: Record<string, number>;
}
interface Series {
  t: number[];
  completedPerSec: number[];
  failedPerSec: number[];
  backlog: number[];
  failureRate: number[];
}

export function overviewView(root: HTMLElement, signal: AbortSignal): void {
  const totals = h('div', { class: 'totals' });
  const table = h('div', { class: 'card' });
  const charts = h('div', { class: 'charts' });
  const note = h('p', { class: 'muted' }, 'Charts start when the console starts and keep the last hour.');
  root.append(h('h1', {}, 'Overview'), totals, table, h('h2', {}, 'Last hour'), charts, note);
  const plots = [
    chart(charts, 'Throughput (rows completed / s)', '#2f855a', (s) => s.completedPerSec),
    chart(charts, 'Backlog (waiting + in progress)', '#2b6cb0', (s) => s.backlog),
    chart(charts, 'Failure rate (FAILED / finished)', '#c53030', (s) => s.failureRate.map((x) => x * 100), '%'),
  ];
  const refresh = async (): Promise<void> => {
    const [status, series] = await Promise.all([get<Status>('status'), get<Series>('history')]);
    if (signal.aborted) return;
    renderTotals(totals, status);
    renderTable(table, status);
    for (const p of plots) p(series);
  };
  void refresh().catch(() => undefined);
  const timer = setInterval(() => void refresh().catch(() => undefined), 2000);
  signal.addEventListener('abort', () => clearInterval(timer));
}

function renderTotals(el: HTMLElement, s: Status): void {
  clear(el);
  for (const status of STATUSES) {
    el.append(
      h(
        'a',
        { class: `total s-${status}`, href: `#/rows?status=${status}`, 'data-testid': `total-${status}` },
        h('span', { class: 'n' }, s.totals[status] ?? 0),
        h('span', { class: 'l' }, status),
      ),
    );
  }
}

function renderTable(el: HTMLElement, s: Status): void {
  clear(el);
  if (s.types.length === 0) {
    el.append(h('p', { class: 'muted' }, 'No message rows yet.'));
    return;
  }
  const head = h(
    'tr',
    {},
    h('th', {}, 'Table'),
    h('th', {}, 'Message type'),
    ...STATUSES.map((st) => h('th', { class: 'num' }, statusBadge(st))),
    h('th', { class: 'num' }, 'Oldest waiting'),
  );
  const body = s.types.map((t) =>
    h(
      'tr',
      { 'data-testid': `type-${t.messageType}` },
      h('td', {}, t.table),
      h('td', {}, h('a', { href: `#/rows?type=${encodeURIComponent(t.messageType)}` }, t.messageType)),
      ...STATUSES.map((st) => {
        const n = t.counts[st] ?? 0;
        return h(
          'td',
          { class: `num ${n > 0 ? `c-${st}` : 'zero'}` },
          n > 0 ? h('a', { href: `#/rows?type=${encodeURIComponent(t.messageType)}&status=${st}` }, n) : '0',
        );
      }),
      h('td', { class: 'num' }, t.oldestWaitingAgeMs === null ? '–' : age(t.oldestWaitingAgeMs)),
    ),
  );
  el.append(h('table', { class: 'grid', 'data-testid': 'counts' }, h('thead', {}, head), h('tbody', {}, ...body)));
}

function chart(
  parent: HTMLElement,
  title: string,
  color: string,
  pick: (s: Series) => number[],
  unit = '',
): (s: Series) => void {
  const box = h('div', { class: 'chart card' }, h('h3', {}, title));
  parent.append(box);
  let plot: uPlot | undefined;
  return (s) => {
    const data: uPlot.AlignedData = [s.t, pick(s)];
    if (plot === undefined) {
      plot = new uPlot(
        {
          width: Math.max(280, box.clientWidth - 24),
          height: 170,
          legend: { show: false },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
          axes: [
            { stroke: '#64748b' },
            { stroke: '#64748b', values: (_u, v) => v.map((x) => `${+x.toFixed(2)}${unit}`) },
          ],
          series: [{}, { stroke: color, width: 2, fill: `${color}22`, points: { show: false } }],
        },
        data,
        box,
      );
    } else {
      plot.setData(data);
    }
  };
}
