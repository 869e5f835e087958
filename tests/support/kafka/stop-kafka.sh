#!/usr/bin/env bash
# Stops the broker start-kafka.sh started (by its pid file; SIGTERM, then SIGKILL after
# 30 s). `--wipe` also deletes its data directory, so the next start is a fresh cluster.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CACHE="${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}"
PIDFILE="$CACHE/kafka.pid"

if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  pid="$(cat "$PIDFILE")"
  kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  echo "kafka (pid $pid) stopped"
else
  echo "kafka is not running (no live pid in $PIDFILE)"
fi
rm -f "$PIDFILE"
if [ "${1:-}" = "--wipe" ]; then rm -rf "$CACHE/data" && echo "wiped $CACHE/data"; fi
