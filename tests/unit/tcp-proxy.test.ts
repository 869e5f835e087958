import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TcpProxy } from '../support/tcp-proxy.js';

/** An echo server that counts what it received. */
async function echoServer(): Promise<{ server: Server; port: number; received: () => number }> {
  let received = 0;
  const server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, received: () => received };
}

async function dial(port: number): Promise<{ socket: Socket; text: () => string }> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { socket, text: () => text };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('TcpProxy', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: TcpProxy;

  beforeEach(async () => {
    echo = await echoServer();
    proxy = await new TcpProxy({ targetPort: echo.port }).start();
  });

  afterEach(async () => {
    await proxy.stop();
    echo.server.close();
  });

  it('forwards both ways', async () => {
    const c = await dial(proxy.port);
    c.socket.write('hello');
    await until(() => c.text() === 'hello');
    expect(proxy.connections).toBe(1);
    c.socket.destroy();
  });

  it('pause holds bytes in both directions with the sockets open; resume delivers them in order', async () => {
    const c = await dial(proxy.port);
    c.socket.write('a');
    await until(() => c.text() === 'a');
    proxy.pause();
    c.socket.write('b');
    c.socket.write('c');
    await wait(300);
    expect(echo.received()).toBe(1); // nothing reached the server
    expect(c.text()).toBe('a');
    expect(c.socket.destroyed).toBe(false);
    proxy.resume();
    await until(() => c.text() === 'abc');
    expect(echo.received()).toBe(3);
    c.socket.destroy();
  });

  it('holds replies already on their way back when paused', async () => {
    const c = await dial(proxy.port);
    // The server answers, but the proxy is paused before the answer passes it.
    const slow = createServer((s) => {
      s.on('error', () => undefined);
      s.on('data', () => setTimeout(() => s.write('late'), 100));
    });
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const p2 = await new TcpProxy({ targetPort: (slow.address() as AddressInfo).port }).start();
    const d = await dial(p2.port);
    d.socket.write('x');
    await wait(30);
    p2.pause();
    await wait(300);
    expect(d.text()).toBe('');
    p2.resume();
    await until(() => d.text() === 'late');
    d.socket.destroy();
    c.socket.destroy();
    await p2.stop();
    slow.close();
  });

  it('accepts new connections while paused but connects them upstream only on resume', async () => {
    proxy.pause();
    const c = await dial(proxy.port);
    c.socket.write('q');
    await wait(200);
    expect(echo.received()).toBe(0);
    proxy.resume();
    await until(() => c.text() === 'q');
    c.socket.destroy();
  });

  it('killConnections resets every proxied connection and keeps accepting new ones', async () => {
    const a = await dial(proxy.port);
    const b = await dial(proxy.port);
    await until(() => proxy.connections === 2);
    const closed = Promise.all([a, b].map((x) => new Promise((r) => x.socket.on('close', r))));
    proxy.killConnections();
    await closed;
    expect(proxy.connections).toBe(0);
    const c = await dial(proxy.port);
    c.socket.write('again');
    await until(() => c.text() === 'again');
    expect(proxy.accepted).toBe(3);
    c.socket.destroy();
  });
});
