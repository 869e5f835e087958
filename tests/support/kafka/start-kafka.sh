#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft, combined broker + controller) for the
# Eventyard tests, on loopback only:
#   broker     127.0.0.1:${KAFKA_PORT:-19092}
#   controller 127.0.0.1:${KAFKA_CONTROLLER_PORT:-19093}
# Idempotent: a Kafka broker already listening on the port (started by this script, here or
# from another checkout) is left alone. Steps:
#   1. resolve the broker's jars from Maven Central through tests/support/kafka/pom.xml
#      (mvn dependency:copy-dependencies) into $KAFKA_CACHE_DIR/libs, once;
#   2. format the KRaft storage in $KAFKA_CACHE_DIR/data, once (fixed cluster id);
#   3. start kafka.Kafka in the background (pid in $KAFKA_CACHE_DIR/kafka.pid, log in
#      $KAFKA_CACHE_DIR/server.log) and wait until it reports "Kafka Server started".
# Needs java (17+) and mvn on PATH. Stop it with stop-kafka.sh; `stop-kafka.sh --wipe`
# also deletes the data directory. `start-kafka.sh --jars-only` does step 1 alone and prints
# the jars' directory (for tests that start a private broker of their own).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CACHE="${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}"
PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
CLUSTER_ID="${KAFKA_CLUSTER_ID:-ZXZlbnR5YXJkLXRlc3Q0}"
WAIT_SECONDS="${KAFKA_WAIT_SECONDS:-120}"
LIBS="$CACHE/libs"
DATA="$CACHE/data"
CONFIG="$CACHE/server.properties"
LOG="$CACHE/server.log"
PIDFILE="$CACHE/kafka.pid"

resolve_jars() {
  mkdir -p "$CACHE"
  local stamp
  stamp="$LIBS/.resolved-$(sha256sum "$HERE/pom.xml" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "resolving the Kafka broker jars from Maven Central into $LIBS" >&2
    rm -rf "$LIBS"
    mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$LIBS" -DincludeScope=runtime >&2
    touch "$stamp"
  fi
}
if [ "${1:-}" = "--jars-only" ]; then
  resolve_jars
  echo "$LIBS"
  exit 0
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running_pid() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

if running_pid && port_open "$PORT"; then
  echo "kafka is up on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
  exit 0
fi
# The pid listening on a loopback port, when ss can tell.
listener_pid() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2; }
if port_open "$PORT"; then
  # A broker this script started from another checkout (its own cache dir) serves as well.
  pid="$(listener_pid "$PORT")"
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
    echo "kafka is up on 127.0.0.1:$PORT (pid $pid, started from another checkout)"
    exit 0
  fi
  echo "127.0.0.1:$PORT is taken by a process that is not a Kafka broker (pid ${pid:-unknown})" >&2
  exit 1
fi

resolve_jars

cat >"$CONFIG" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.consumer.session.timeout.ms=45000
log.flush.interval.messages=1
PROPS

CP="$LIBS/*"
JAVA_OPTS=(-Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$HERE/log4j2.properties")

if [ ! -f "$DATA/meta.properties" ]; then
  echo "formatting KRaft storage in $DATA"
  java "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format \
    -t "$CLUSTER_ID" -c "$CONFIG" --ignore-formatted >/dev/null
fi

echo "starting kafka on 127.0.0.1:$PORT"
: >"$LOG"
setsid nohup java "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$CONFIG" >>"$LOG" 2>&1 </dev/null &
echo $! >"$PIDFILE"

for _ in $(seq 1 "$WAIT_SECONDS"); do
  if ! running_pid; then
    echo "kafka exited during start-up; last lines of $LOG:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
  if grep -q "Kafka Server started" "$LOG" && port_open "$PORT"; then
    echo "kafka is up on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
    exit 0
  fi
  sleep 1
done
echo "kafka did not start within ${WAIT_SECONDS}s; last lines of $LOG:" >&2
tail -n 40 "$LOG" >&2
exit 1
