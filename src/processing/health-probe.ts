/**
 * Liveness and readiness for Kubernetes-style probes, derived from each service's
 * `health()`:
 *
 * - **ready**: every service is running and reports healthy (its processors renew their
 *   leases and reach the store). A not-ready pod gets no traffic but is not restarted.
 * - **live**: every service is running and none of its processors is stuck: each has tried
 *   a claim within `stalledAfterMs`, or is busy with claimed rows, or is waiting for the
 *   store to answer again (a store outage is readiness' business; restarting the pod does not
 *   fix the store). A failing liveness probe restarts the pod.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Service, ServiceHealth } from './service.js';

export interface HealthReport {
  readonly live: boolean;
  readonly ready: boolean;
  /** Epoch ms of this process's clock. */
  readonly at: number;
  readonly services: readonly (ServiceHealth & { readonly live: boolean })[];
}

export interface HealthProbeOptions {
  /**
   * A processor that has not tried a claim for this long, holds no claimed rows and is not
   * waiting for the store counts as stuck.
   * @defaultValue 60000
   */
  readonly stalledAfterMs?: number;
  /** Clock for tests. @defaultValue Date.now */
  readonly now?: () => number;
}

export function probeHealth(
  services: readonly Pick<Service, 'health'>[],
  options: HealthProbeOptions = {},
): HealthReport {
  const now = (options.now ?? Date.now)();
  const stalledAfter = options.stalledAfterMs ?? 60_000;
  const reports = services.map((s) => {
    const h = s.health();
    const live =
      h.running &&
      h.processors.every(
        (p) => p.running && (!p.healthy || p.inFlight > 0 || (p.lastPollAt > 0 && now - p.lastPollAt <= stalledAfter)),
      );
    return { ...h, live };
  });
  return {
    live: reports.every((r) => r.live),
    ready: reports.every((r) => r.live && r.healthy),
    at: now,
    services: reports,
  };
}

export interface HealthHandlerOptions extends HealthProbeOptions {
  /** @defaultValue '/healthz/live' */
  readonly livePath?: string;
  /** @defaultValue '/healthz/ready' */
  readonly readyPath?: string;
}

/**
 * A Node request listener answering the two probe paths with 200 or 503 and the report as
 * JSON. Mount it on `http.createServer`, as Express middleware (unknown paths go to `next`),
 * or call {@link probeHealth} from your own framework's route.
 */
export function createHealthHandler(
  services: readonly Pick<Service, 'health'>[],
  options: HealthHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse, next?: () => void) => void {
  const livePath = options.livePath ?? '/healthz/live';
  const readyPath = options.readyPath ?? '/healthz/ready';
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== livePath && path !== readyPath) {
      if (next) return next();
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const report = probeHealth(services, options);
    const ok = path === livePath ? report.live : report.ready;
    res
      .writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(report));
  };
}
