/** The flow map: services and message types as a graph learned from the rows. */
import { get } from '../api.js';
import { clear, h, svg } from '../dom.js';

interface Edge {
  messageType: string;
  table: string;
  from: string;
  to: string;
  total: number;
  errors: number;
  completedPerMin: number;
}
interface Flow {
  nodes: string[];
  edges: Edge[];
}

/** Columns by longest path from a source, so A → B → C reads left to right. */
function columns(flow: Flow): Map<string, number> {
  const col = new Map(flow.nodes.map((n) => [n, 0]));
  for (let pass = 0; pass < flow.nodes.length; pass++) {
    for (const e of flow.edges) {
      if (e.from === e.to) continue;
      const next = (col.get(e.from) ?? 0) + 1;
      if (next > (col.get(e.to) ?? 0) && next < flow.nodes.length) col.set(e.to, next);
    }
  }
  return col;
}

export function flowView(root: HTMLElement, signal: AbortSignal): void {
  const box = h('div', { class: 'card flow' });
  root.append(
    h('h1', {}, 'Flow map'),
    h(
      'p',
      { class: 'muted' },
      'Who writes each message type and who handles it, learned from the rows; rates are completions per minute over the last five minutes.',
    ),
    box,
  );
  const refresh = async (): Promise<void> => {
    const flow = await get<Flow>('flow');
    if (!signal.aborted) render(box, flow);
  };
  void refresh().catch(() => undefined);
  const timer = setInterval(() => void refresh().catch(() => undefined), 5000);
  signal.addEventListener('abort', () => clearInterval(timer));
}

function render(box: HTMLElement, flow: Flow): void {
  clear(box);
  if (flow.edges.length === 0) {
    box.append(h('p', { class: 'muted' }, 'No message rows yet.'));
    return;
  }
  const col = columns(flow);
  const byCol = new Map<number, string[]>();
  for (const n of flow.nodes) byCol.set(col.get(n) ?? 0, [...(byCol.get(col.get(n) ?? 0) ?? []), n]);
  const colW = 340;
  const rowH = 110;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [c, nodes] of byCol) nodes.forEach((n, i) => pos.set(n, { x: 30 + c * colW, y: 40 + i * rowH }));
  const width = 30 + (Math.max(...byCol.keys()) + 1) * colW;
  const height = 40 + Math.max(...[...byCol.values()].map((v) => v.length)) * rowH + 20;
  const nodeW = 150;
  const nodeH = 40;
  const g = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'flow map' });
  g.append(
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#64748b' }),
      ),
    ),
  );
  const pairCount = new Map<string, number>();
  for (const e of flow.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const pair = `${e.from}\u0000${e.to}`;
    const k = pairCount.get(pair) ?? 0;
    pairCount.set(pair, k + 1);
    const x1 = a.x + nodeW;
    const y1 = a.y + nodeH / 2 + k * 14;
    const x2 = b.x;
    const y2 = b.y + nodeH / 2 + k * 14;
    const bad = e.errors > 0;
    const path =
      e.from === e.to
        ? `M ${x1} ${y1} C ${x1 + 60} ${y1 - 60}, ${a.x - 60} ${y1 - 60}, ${a.x} ${y1}`
        : `M ${x1} ${y1} C ${(x1 + x2) / 2} ${y1}, ${(x1 + x2) / 2} ${y2}, ${x2} ${y2}`;
    g.append(svg('path', { d: path, class: bad ? 'edge bad' : 'edge', 'marker-end': 'url(#arrow)' }));
    const rate = `${e.completedPerMin.toFixed(0)}/min${bad ? ` · ${e.errors} errors` : ''}`;
    const lx = e.from === e.to ? a.x + nodeW / 2 : (x1 + x2) / 2;
    const ly = e.from === e.to ? y1 - 50 : (y1 + y2) / 2 - 8;
    const cls = bad ? 'elabel bad' : 'elabel';
    const link = svg(
      'a',
      { href: `#/rows?type=${encodeURIComponent(e.messageType)}` },
      svg('text', { x: lx, y: ly, class: cls, 'text-anchor': 'middle' }, e.messageType),
      svg('text', { x: lx, y: ly + 24, class: `${cls} rate`, 'text-anchor': 'middle' }, rate),
    );
    g.append(link);
  }
  for (const [name, p] of pos) {
    g.append(
      svg(
        'g',
        { class: 'node' },
        svg('rect', { x: p.x, y: p.y, width: nodeW, height: nodeH, rx: 8 }),
        svg('text', { x: p.x + nodeW / 2, y: p.y + nodeH / 2 + 5, 'text-anchor': 'middle' }, name),
      ),
    );
  }
  box.append(g);
  const order = (e: Edge): number => col.get(e.from) ?? 0;
  const rows = [...flow.edges]
    .sort((p, q) => order(p) - order(q))
    .map((e) =>
      h(
        'tr',
        {},
        h('td', {}, e.from),
        h('td', {}, h('a', { href: `#/rows?type=${encodeURIComponent(e.messageType)}` }, e.messageType)),
        h('td', {}, e.to),
        h('td', { class: 'num' }, e.total),
        h('td', { class: 'num' }, e.completedPerMin.toFixed(1)),
        h('td', { class: e.errors > 0 ? 'num c-FAILED' : 'num' }, e.errors),
      ),
    );
  box.append(
    h(
      'table',
      { class: 'grid' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'From'),
          h('th', {}, 'Message type'),
          h('th', {}, 'To'),
          h('th', { class: 'num' }, 'Rows'),
          h('th', { class: 'num' }, 'Completed/min'),
          h('th', { class: 'num' }, 'Errors'),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}
