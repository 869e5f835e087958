#!/usr/bin/env bash
# Usage: scripts/with-node.sh <24|22> <command...>
#
#   scripts/with-node.sh 24 npm test
#   scripts/with-node.sh 22 npx vitest run --project unit
#   scripts/with-node.sh 22 npm ci          # a clean install for Node 22 (kept for the next run)
#
# Runs a command on a pinned Node.js build (scripts/fetch-node.sh downloads it once into
# .cache/node/<version>/) whatever the machine's own Node is: that build's bin/ (node, npm, npx)
# comes first on PATH, and npm_config_nodedir points at its headers so native modules
# (better-sqlite3) compile offline.
#
# node_modules, one per Node ABI. A native module is built for one ABI (Node 22 and 24 differ),
# so every Node version gets its own node_modules and this script swaps them by renaming:
#
#   - the checkout's node_modules is moved to .cache/node-modules/<label> (label abi<N> when
#     this script installed it, `unstamped` when it came from a plain `npm ci` on the system Node);
#   - .cache/node-modules/abi<N> of the wanted Node is moved in (a rename: no copying);
#   - if there is none yet, or package-lock.json changed since it was installed, `npm ci` runs
#     first (unless the command is itself `npm ci` / `npm install`);
#   - when the command ends (or fails, or is interrupted) the two are swapped back, so the
#     checkout is left as it was found.
#
# The stamp node_modules/.eventyard-node records the ABI and the lockfile's hash. One run at a time
# per checkout (.cache/node-modules/.in-use holds the owner's pid); a nested call for the same
# version just runs its command. If a run is killed with SIGKILL its swap is not undone: the next
# run finds node_modules stamped and files it under its own label, nothing is lost.
set -euo pipefail

major=${1:-}
[ $# -ge 2 ] || { echo "usage: scripts/with-node.sh <24|22> <command...>" >&2; exit 2; }
shift
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$("$root/scripts/fetch-node.sh" "$major")
version=${dir##*/}

export PATH="$dir/bin:$PATH"
export npm_config_nodedir="$dir/nodedir"

if [ -n "${EVENTYARD_WITH_NODE:-}" ]; then
  [ "$EVENTYARD_WITH_NODE" = "$version" ] && exec "$@"
  echo "with-node.sh: already inside Node $EVENTYARD_WITH_NODE; cannot switch to $version from here" >&2
  exit 1
fi
export EVENTYARD_WITH_NODE=$version

cd "$root"
store="$root/.cache/node-modules"
mkdir -p "$store"
abi=$("$dir/bin/node" -p process.versions.modules)
want="abi$abi"
stamp=node_modules/.eventyard-node
lock_hash() { sha256sum package-lock.json | cut -c1-16; }

# --- one run per checkout ------------------------------------------------------------------------
in_use="$store/.in-use"
if ! mkdir "$in_use" 2>/dev/null; then
  owner=$(cat "$in_use/pid" 2>/dev/null || true)
  if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
    echo "with-node.sh: another run (pid $owner) is using this checkout's node_modules" >&2
    exit 1
  fi
  rm -rf "$in_use" && mkdir "$in_use" # its owner is gone
fi
echo $$ >"$in_use/pid"

# --- swap in this ABI's node_modules -------------------------------------------------------------
label_of_current() {
  if [ ! -d node_modules ]; then echo none
  elif [ -f "$stamp" ]; then sed -n 's/^abi=//p' "$stamp" | sed 's/^/abi/'
  else echo unstamped
  fi
}
current=$(label_of_current)
restore=""
if [ "$current" != "$want" ]; then
  if [ "$current" != none ]; then
    rm -rf "${store:?}/$current"
    mv node_modules "$store/$current"
  fi
  restore=$current
  if [ -d "$store/$want" ]; then mv "$store/$want" node_modules; fi
fi

swap_back() {
  status=$?
  trap - EXIT INT TERM
  if [ -n "$restore" ]; then
    if [ -d node_modules ]; then rm -rf "${store:?}/$want" && mv node_modules "$store/$want"; fi
    if [ "$restore" != none ] && [ -d "$store/$restore" ]; then mv "$store/$restore" node_modules; fi
  fi
  rm -rf "$in_use"
  exit "$status"
}
trap swap_back EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

installing=0
case "${1:-} ${2:-}" in "npm ci" | "npm install" | "npm i" | "npm ci "* | "npm install "* | "npm i "*) installing=1 ;; esac

if [ "$installing" = 0 ] && ! grep -qx "lock=$(lock_hash)" "$stamp" 2>/dev/null; then
  echo "with-node.sh: installing node_modules for Node $version (npm ci)" >&2
  npm ci --no-audit --no-fund
  printf 'abi=%s\nlock=%s\nnode=%s\n' "$abi" "$(lock_hash)" "$version" >"$stamp"
fi

set +e
"$@"
status=$?
set -e
if [ "$installing" = 1 ] && [ -d node_modules ]; then
  # A failed install leaves a stamp that matches no lockfile, so the next run installs again.
  if [ "$status" = 0 ]; then lock=$(lock_hash); else lock=incomplete; fi
  printf 'abi=%s\nlock=%s\nnode=%s\n' "$abi" "$lock" "$version" >"$stamp"
fi
exit "$status"
