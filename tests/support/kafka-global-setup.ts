/**
 * vitest globalSetup of the Kafka test files: starts the test broker with
 * tests/support/kafka/start-kafka.sh (idempotent; resolves the jars from Maven Central on
 * first use). If it cannot start, setup throws and every Kafka test fails: never skipped.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = fileURLToPath(new URL('./kafka/start-kafka.sh', import.meta.url));
  execFileSync(script, { stdio: 'inherit', timeout: 600_000 });
}
