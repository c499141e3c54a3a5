#!/usr/bin/env bash
# The README's first command: on a fresh Debian/Ubuntu machine (as root), install what is missing, build
# Wharf, start a local cluster (server, registry, load balancer, one agent) and deploy the demo service.
#   ./scripts/quickstart.sh            # everything with defaults (API on :7755, demo on :8000)
# Environment: WHARF_PORT (API port), WHARF_DEMO_PORT (demo load balancer port), XDG_DATA_HOME/WHARF_DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
# Wharf runs on the Node LTS pinned in toolchain/, installed on first use by scripts/with-node.sh (the
# official binaries from the npm registry, whatever Node this machine ships); bin/wharf uses it too.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)…" >&2
  scripts/with-node.sh npm ci --no-audit --no-fund
fi
scripts/with-node.sh npm run --silent build
scripts/with-node.sh npm run --silent build:console
./bin/wharf up --yes
./bin/wharf demo
