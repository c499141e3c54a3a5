#!/usr/bin/env bash
# Start a Docker Engine (Debian's docker.io) for Wharf, beside Podman or instead of it.
#
#   sudo scripts/setup-docker.sh                       # dockerd on /var/run/docker.sock (what `wharf up` picks)
#   sudo WHARF_DOCKER_SOCK=/run/wharf-docker/docker.sock scripts/setup-docker.sh   # a separate one (CI, tests)
#
# Idempotent: if the socket answers, nothing is done. On machines with systemd, prefer
# `systemctl start docker`; this script is for hosts without it (containers, CI sandboxes).
# Environment: WHARF_DOCKER_SOCK (default /var/run/docker.sock), WHARF_DOCKER_ROOT (data, default
# /var/lib/docker for the default socket, else /var/lib/wharf-docker), WHARF_DOCKER_IPTABLES (default
# true for the default socket, false for a separate one: published ports then go through docker-proxy,
# which serves 127.0.0.1 just as well, and the host's nftables are left alone), WHARF_DOCKER_LOG.
# Why these settings on cgroup-v1 hosts: dockerd 20.10 runs there with runc and overlay2 as they are;
# a separate --exec-root keeps its containerd apart from any other Docker on the machine.
set -euo pipefail

SOCK="${WHARF_DOCKER_SOCK:-/var/run/docker.sock}"
if [[ "$SOCK" == /var/run/docker.sock || "$SOCK" == /run/docker.sock ]]; then
  ROOT="${WHARF_DOCKER_ROOT:-/var/lib/docker}"; EXEC=/var/run/docker; IPT="${WHARF_DOCKER_IPTABLES:-true}"
else
  ROOT="${WHARF_DOCKER_ROOT:-/var/lib/wharf-docker}"; EXEC="$(dirname "$SOCK")/exec"; IPT="${WHARF_DOCKER_IPTABLES:-false}"
fi
LOG="${WHARF_DOCKER_LOG:-/var/log/wharf-dockerd.log}"
PIDFILE="$(dirname "$SOCK")/wharf-dockerd.pid"

log() { printf 'setup-docker: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
[[ "$(id -u)" == 0 ]] || die "run as root (it installs docker.io and starts dockerd)"

answers() { [[ -S "$SOCK" ]] && [[ "$(curl -sf --max-time 5 --unix-socket "$SOCK" http://d/_ping 2>/dev/null)" == "OK" ]]; }
if answers; then log "dockerd answers at $SOCK"; exit 0; fi

if ! command -v dockerd >/dev/null; then
  log "installing docker.io"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io
  if answers; then log "dockerd answers at $SOCK (started by the package)"; exit 0; fi
fi

mkdir -p "$(dirname "$SOCK")" "$ROOT"
[[ -S "$SOCK" ]] && rm -f "$SOCK" # left behind by a dead daemon: the new one could not bind
log "starting: dockerd on unix://$SOCK (data $ROOT, iptables $IPT; log: $LOG)"
# setsid + nohup: the daemon must outlive this script and the shell that ran it.
setsid nohup dockerd --host "unix://$SOCK" --data-root "$ROOT" --exec-root "$EXEC" --pidfile "$PIDFILE" \
  --iptables="$IPT" --ip6tables=false >>"$LOG" 2>&1 </dev/null &
for ((i = 0; i < 300; i++)); do # 300 × 100 ms = 30 s; it usually answers in 1–3 s
  if answers; then log "dockerd answers at $SOCK (pid $(cat "$PIDFILE" 2>/dev/null || echo ?))"; exit 0; fi
  sleep 0.1
done
tail -n 20 "$LOG" >&2 || true
die "dockerd did not answer on $SOCK within 30 s"
