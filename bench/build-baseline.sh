#!/usr/bin/env bash
# Builds Eventyard at an earlier commit into .cache/baseline/dist, the old side of the
# old-against-new cases (systems eventyard-sqlite@base, eventyard-redis@base; plan.ts AB-*):
#   bench/build-baseline.sh <commit>     # then: npm run bench -- --only AB-
# Run it on the supported Node (scripts/with-node.sh 24 bench/build-baseline.sh <commit>).
# The dist resolves its dependencies from this checkout's node_modules.
set -euo pipefail
commit=${1:?usage: bench/build-baseline.sh <commit>}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.cache/baseline"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
git -C "$root" archive "$commit" | tar -x -C "$tree"
ln -s "$root/node_modules" "$tree/node_modules"
(cd "$tree" && node scripts/build-sql.mjs && npx tsc -p tsconfig.build.json)
rm -rf "$out"
mkdir -p "$out"
cp -r "$tree/dist" "$out/dist"
git -C "$root" rev-parse --short "$commit" > "$out/commit"
echo "built $(cat "$out/commit") into $out/dist"
