/**
 * A TCP proxy for fault tests: listens on a loopback port and forwards every connection to
 * a target. `pause()` stops forwarding in both directions while every socket stays open
 * (what a network partition or a stalled middlebox looks like to both ends: no FIN, no RST,
 * just silence); `resume()` delivers what was held back, in order; `killConnections()`
 * destroys every proxied connection (an RST to both ends). Store- and broker-agnostic:
 * point it at Redis, PostgreSQL, RabbitMQ, NATS or Kafka alike.
 *
 * While paused, bytes are held in the proxy, not read and dropped, so nothing is lost on
 * resume; new connections are accepted but not connected upstream until resume (a
 * client's connect "succeeds" and then hears nothing, as behind a real partition).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxyOptions {
  readonly targetHost?: string;
  readonly targetPort: number;
  /** Port to listen on (127.0.0.1); 0 picks a free one. */
  readonly listenPort?: number;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | undefined;
  /** Bytes held back while paused, per direction. */
  readonly toUpstream: Buffer[];
  readonly toClient: Buffer[];
}

export class TcpProxy {
  readonly #options: TcpProxyOptions;
  readonly #pairs = new Set<Pair>();
  #server: Server | undefined;
  #paused = false;
  #port = 0;
  /** Connections accepted since start. */
  accepted = 0;

  constructor(options: TcpProxyOptions) {
    this.#options = options;
  }

  get port(): number {
    return this.#port;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Live proxied connections. */
  get connections(): number {
    return this.#pairs.size;
  }

  async start(): Promise<this> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.listenPort ?? 0, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops forwarding both ways; sockets stay open and bytes are held until resume(). */
  pause(): void {
    this.#paused = true;
  }

  /** Delivers what was held back and forwards again. */
  resume(): void {
    this.#paused = false;
    for (const pair of this.#pairs) {
      if (pair.upstream === undefined) this.#connectUpstream(pair);
      else this.#flush(pair);
    }
  }

  /** Destroys every proxied connection, both sides (the clients see a reset). */
  killConnections(): void {
    for (const pair of [...this.#pairs]) this.#close(pair, true);
  }

  async stop(): Promise<void> {
    this.killConnections();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.accepted++;
    const pair: Pair = { client, upstream: undefined, toUpstream: [], toClient: [] };
    this.#pairs.add(pair);
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      if (this.#paused || pair.upstream === undefined || pair.upstream.connecting) pair.toUpstream.push(chunk);
      else pair.upstream.write(chunk);
    });
    client.on('error', () => this.#close(pair, true));
    client.on('close', () => this.#close(pair, false));
    if (!this.#paused) this.#connectUpstream(pair);
  }

  #connectUpstream(pair: Pair): void {
    const upstream = connect({ host: this.#options.targetHost ?? '127.0.0.1', port: this.#options.targetPort });
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('connect', () => this.#flush(pair));
    upstream.on('data', (chunk: Buffer) => {
      if (this.#paused) pair.toClient.push(chunk);
      else pair.client.write(chunk);
    });
    upstream.on('error', () => this.#close(pair, true));
    upstream.on('close', () => this.#close(pair, false));
  }

  #flush(pair: Pair): void {
    if (this.#paused || pair.upstream === undefined || pair.upstream.connecting) return;
    for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  }

  #close(pair: Pair, reset: boolean): void {
    if (!this.#pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) {
      if (socket === undefined) continue;
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}

/** Starts a proxy to `targetPort` on loopback. */
export function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  return new TcpProxy(options).start();
}
