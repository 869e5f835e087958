/**
 * One event's timeline: a swimlane per service, each message row a bar from when it was
 * written to when its handler last touched it, then every row's details, the payload and
 * the working data.
 */
import { get, type Row, type Session } from '../api.js';
import { age, h, safeHref, statusBadge, svg } from '../dom.js';
import { toast } from './confirm.js';
import { redriveButton } from './rows.js';

interface Story {
  eventId: string;
  rows: Row[];
  payload: unknown;
  workingData: Record<string, unknown>;
}

/** The service that handled a row: the lease owner's first part, else UPDATED_BY once claimed. */
const laneOf = (r: Row): string => {
  if (r.leaseOwner !== null) return r.leaseOwner.split('/')[0] ?? r.leaseOwner;
  return r.attempts > 0 || r.status !== 'UNPROCESSED' ? r.updatedBy : '(waiting)';
};

export function traceLink(traceparent: string | null, template: string | null): HTMLElement | null {
  if (traceparent === null) return null;
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent);
  if (m === null) return h('span', { class: 'mono small' }, traceparent);
  const traceId = m[1] as string;
  const href = template === null ? undefined : safeHref(template.replace('{traceId}', traceId));
  return href === undefined
    ? h('span', { class: 'mono small' }, `trace ${traceId}`)
    : h('a', { href, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'trace-link' }, `trace ${traceId}`);
}

export function timelineView(root: HTMLElement, eventId: string, session: Session): void {
  root.append(h('h1', {}, 'Event ', h('span', { class: 'mono', 'data-testid': 'event-id' }, eventId)));
  const reload = (): void => {
    root.replaceChildren();
    timelineView(root, eventId, session);
  };
  get<Story>(`events/${encodeURIComponent(eventId)}`)
    .then((story) => render(root, story, session, reload))
    .catch((e: unknown) => {
      root.append(h('p', { class: 'muted', 'data-testid': 'not-found' }, (e as Error).message));
      toast((e as Error).message, 'error');
    });
}

function render(root: HTMLElement, story: Story, session: Session, reload: () => void): void {
  const rows = story.rows;
  const t = (s: string): number => Date.parse(s);
  const start = Math.min(...rows.map((r) => t(r.createdAt)));
  const end = Math.max(...rows.map((r) => t(r.updatedAt)), start + 1);
  const lanes = [...new Set(rows.map((r) => r.createdBy).concat(rows.map(laneOf)))];
  const width = 1000;
  const left = 150;
  const laneH = 44;
  const x = (ms: number): number => left + ((ms - start) / (end - start)) * (width - left - 20);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${lanes.length * laneH + 30}`,
    class: 'swimlane',
    role: 'img',
    'aria-label': 'timeline',
  });
  lanes.forEach((lane, i) => {
    chart.append(svg('rect', { x: 0, y: i * laneH, width, height: laneH, class: i % 2 === 0 ? 'lane even' : 'lane' }));
    chart.append(svg('text', { x: 8, y: i * laneH + laneH / 2 + 5, class: 'lane-name' }, lane));
  });
  for (const r of rows) {
    const lane = lanes.indexOf(laneOf(r));
    const from = lanes.indexOf(r.createdBy);
    const x1 = x(t(r.createdAt));
    const x2 = Math.max(x1 + 4, x(t(r.updatedAt)));
    const y = lane * laneH + 8;
    if (from !== lane)
      chart.append(svg('line', { x1, y1: from * laneH + laneH / 2, x2: x1, y2: y + 14, class: 'handoff' }));
    const label = `${r.messageType} · ${age(t(r.updatedAt) - t(r.createdAt))}${r.attempts > 1 ? ` · ${r.attempts} attempts` : ''}`;
    // Inside the bar when it fits (about 6.5 units a character), else beside it in dark text.
    const fits = x2 - x1 > label.length * 6.5 + 8;
    const after = x2 + 6 + label.length * 6.5 < width;
    const text = fits
      ? svg('text', { x: x1 + 4, y: y + 18 }, label)
      : svg(
          'text',
          { x: after ? x2 + 6 : x1 - 6, y: y + 18, class: 'outside', 'text-anchor': after ? 'start' : 'end' },
          label,
        );
    const bar = svg(
      'g',
      { class: `bar s-${r.status}` },
      svg('rect', { x: x1, y, width: x2 - x1, height: laneH - 16, rx: 4 }),
      text,
    );
    bar.append(svg('title', {}, `${r.messageType} ${r.status}`));
    chart.append(bar);
  }
  chart.append(svg('text', { x: left, y: lanes.length * laneH + 20, class: 'axis' }, new Date(start).toISOString()));
  chart.append(
    svg(
      'text',
      { x: width - 20, y: lanes.length * laneH + 20, class: 'axis', 'text-anchor': 'end' },
      `+${age(end - start)}`,
    ),
  );
  root.append(h('div', { class: 'card' }, chart));

  root.append(h('h2', {}, 'Messages'));
  for (const r of rows) {
    root.append(
      h(
        'div',
        { class: 'card step', 'data-testid': 'step' },
        h(
          'div',
          { class: 'step-head' },
          h('strong', {}, r.messageType),
          ` (${r.table}) `,
          statusBadge(r.status),
          ` attempts ${r.attempts}/${r.maxAttempts} `,
          redriveButton(r, session, reload),
        ),
        h(
          'dl',
          {},
          h('dt', {}, 'written'),
          h('dd', {}, `${r.createdAt} by ${r.createdBy}`),
          h('dt', {}, 'last change'),
          h('dd', {}, `${r.updatedAt} by ${r.updatedBy} (+${age(t(r.updatedAt) - t(r.createdAt))})`),
          r.leaseOwner === null ? null : h('dt', {}, 'lease owner'),
          r.leaseOwner === null ? null : h('dd', { class: 'mono' }, r.leaseOwner),
          r.orderingKey === null ? null : h('dt', {}, 'ordering key'),
          r.orderingKey === null ? null : h('dd', { class: 'mono' }, r.orderingKey),
          r.groupKey === null ? null : h('dt', {}, 'group'),
          r.groupKey === null ? null : h('dd', { class: 'mono' }, r.groupKey),
          r.priority ? h('dt', {}, 'priority') : null,
          r.priority ? h('dd', {}, String(r.priority)) : null,
          r.traceparent === null ? null : h('dt', {}, 'trace'),
          r.traceparent === null ? null : h('dd', {}, traceLink(r.traceparent, session.traceUrl)),
        ),
        r.lastError === null ? null : h('pre', { class: 'error', 'data-testid': 'last-error' }, r.lastError),
      ),
    );
  }
  root.append(
    h('h2', {}, 'Payload'),
    h('pre', { class: 'card json', 'data-testid': 'payload' }, JSON.stringify(story.payload, null, 2)),
  );
  const wd = Object.entries(story.workingData);
  root.append(
    h('h2', {}, 'Working data'),
    wd.length === 0
      ? h('p', { class: 'muted' }, 'none')
      : h(
          'div',
          { class: 'card' },
          h(
            'dl',
            {},
            ...wd.flatMap(([k, v]) => [
              h('dt', { class: 'mono' }, k),
              h('dd', {}, h('pre', { class: 'json' }, JSON.stringify(v, null, 2))),
            ]),
          ),
        ),
  );
}
