/**
 * A private single-node Kafka broker (KRaft, combined broker + controller) for one test
 * file, from the jars start-kafka.sh resolves from Maven Central, with its data in a fresh
 * temporary directory. Kafka clients talk to the addresses the broker advertises, not to
 * the one they bootstrapped from, so a test that wants a client's traffic to pass through
 * a TCP proxy needs the broker to advertise the proxy. This one has two client listeners:
 *
 *   PROXIED  listens on `proxiedPort`, advertises 127.0.0.1:`advertisedPort` (the proxy's);
 *   DIRECT   listens on and advertises `directPort` (for the test's own producers and
 *            consumers, which must keep working while the proxy is paused).
 *
 * A client bootstrapped through either listener is told about that listener only. The
 * broker talks to itself over DIRECT and to its controller on a third port, so pausing the
 * proxy never stalls the broker. `stop()` kills it (SIGTERM, SIGKILL after 30 s) and
 * deletes its data directory; so does the test process's exit, if stop() never ran.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForPort } from './brokers.js';
import { freePort } from './free-port.js';

export { freePort };

export interface PrivateKafka {
  /** Where the proxy forwards to: the PROXIED listener's real port. */
  readonly proxiedPort: number;
  /** Bootstrap address of the DIRECT listener. */
  readonly directBrokers: string;
  readonly dir: string;
  stop(): Promise<void>;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Starts the broker, advertising 127.0.0.1:`advertisedPort` on its PROXIED listener. */
export async function startPrivateKafka(advertisedPort: number, timeoutMs = 120_000): Promise<PrivateKafka> {
  const libs = execFileSync(here('./kafka/start-kafka.sh'), ['--jars-only'], {
    timeout: 600_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim();
  const [proxiedPort, directPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-kafka-'));
  const config = join(dir, 'server.properties');
  const log = join(dir, 'server.log');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PROXIED://127.0.0.1:${proxiedPort},DIRECT://127.0.0.1:${directPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PROXIED://127.0.0.1:${advertisedPort},DIRECT://127.0.0.1:${directPort}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=DIRECT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PROXIED:PLAINTEXT,DIRECT:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=3',
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'group.consumer.session.timeout.ms=45000',
      '',
    ].join('\n'),
  );
  const java = [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseG1GC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${here('./kafka/log4j2.properties')}`,
    '-cp',
    `${libs}/*`,
  ];
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running !== undefined && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      const killer = setTimeout(() => running.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // stderr piped: a failed format names its cause in the thrown error's message.
    execFileSync('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    const out = openSync(log, 'a');
    child = spawn('java', [...java, 'kafka.Kafka', config], { stdio: ['ignore', out, out] });
    // A test process that ends without stop() (interrupted, crashed) takes its broker along.
    const orphan = child;
    process.once('exit', () => {
      orphan.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the private Kafka broker exited during start-up:\n${readFileSync(log, 'utf8').slice(-4000)}`);
      }
      if (readFileSync(log, 'utf8').includes('Kafka Server started')) break;
      if (Date.now() > deadline) throw new Error(`the private Kafka broker did not start within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await waitForPort(directPort, true, 10_000);
    return { proxiedPort, directBrokers: `127.0.0.1:${directPort}`, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A new KRaft cluster id: 16 random bytes in base64url, drawn again while it starts with '-',
 * as Kafka's own Uuid.randomUuid does. The formatter's argument parser reads `-t -abc…` as a
 * missing value followed by an option ("argument --cluster-id/-t: expected one argument"),
 * which failed one start in 64.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
