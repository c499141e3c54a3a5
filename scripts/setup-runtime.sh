#!/usr/bin/env bash
# Prepare a Debian 12 / Ubuntu host to run Wharf's agent on Podman's Docker-compatible socket.
#
#   sudo scripts/setup-runtime.sh                          # packages, containers.conf, podman service
#   sudo scripts/setup-runtime.sh --insecure-registry 5000 # also trust http://127.0.0.1:5000
#   sudo scripts/setup-runtime.sh --insecure-registry-only 5000   # only write the registry entry
#   sudo scripts/setup-runtime.sh --no-service             # configure, but do not start the service
#
# Idempotent: every step checks before it acts, so running it twice changes nothing the second time.
# Why each setting (docs: /work/shared/DESIGN.md §5):
#   - runtime = "runc": crun fails on these cgroup-v1 hosts ("cgroups in hybrid mode not supported").
#   - default_ulimits: Podman's default nofile (1048576) is above the host's hard limit and the container
#     process has no CAP_SYS_RESOURCE to raise it, so every start fails unless the defaults are lowered.
#   - /run/podman must exist before `podman system service` can bind its socket there.
# Loopback registries need no entry for Wharf's agent: like Docker (which trusts 127.0.0.0/8 over plain
# HTTP by default) the driver pulls from them with tlsVerify=false. The entry is for `podman pull` and
# other clients. Adding one restarts the service if this script started it (it caches the registry list).
# Environment: WHARF_PODMAN_SOCK (default /run/podman/podman.sock), WHARF_PODMAN_LOG
# (default /var/log/wharf-podman-service.log).
set -euo pipefail

SOCK="${WHARF_PODMAN_SOCK:-/run/podman/podman.sock}"
SERVICE_LOG="${WHARF_PODMAN_LOG:-/var/log/wharf-podman-service.log}"
MARKER="# Managed by Wharf scripts/setup-runtime.sh"
CONF=/etc/containers/containers.conf
DROPIN_DIR=/etc/containers/containers.conf.d
DROPIN="$DROPIN_DIR/50-wharf.conf"
REGISTRIES_DIR=/etc/containers/registries.conf.d
PACKAGES=(podman runc skopeo umoci busybox-static)

log() { printf 'setup-runtime: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_root() {
  [[ "$(id -u)" == 0 ]] || die "run as root (it installs packages and writes /etc/containers)"
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "packages present: ${PACKAGES[*]}"
    return
  fi
  log "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

wharf_conf_body() {
  cat <<EOF
$MARKER. Rewritten on every run; remove the first line to take ownership.
# runc: crun fails on cgroup-v1 hosts. Ulimits: containers cannot raise rlimits above the host's limit.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
EOF
}

# Write the file only if its content differs, so a rerun does not touch mtimes.
write_if_changed() {
  local path="$1" body="$2"
  if [[ -f "$path" ]] && [[ "$(cat "$path")" == "$body" ]]; then
    log "unchanged: $path"
    return 1
  fi
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$body" >"$path.wharf-tmp"
  mv -f "$path.wharf-tmp" "$path"
  log "wrote: $path"
}

# containers.conf: write it if absent or ours (first line is our marker). An existing file that belongs to
# someone else is never rewritten: our settings go into a drop-in under containers.conf.d/, which Podman
# (>= 4.0) reads after containers.conf, so ours win for these two keys and everything else is kept.
CONFIG_CHANGED=0
write_containers_conf() {
  local body
  body="$(wharf_conf_body)"
  if [[ ! -e "$CONF" ]] || head -n1 "$CONF" | grep -qF "$MARKER"; then
    if write_if_changed "$CONF" "$body"; then CONFIG_CHANGED=1; fi
    if [[ -f "$DROPIN" ]] && head -n1 "$DROPIN" | grep -qF "$MARKER"; then rm -f "$DROPIN"; CONFIG_CHANGED=1; fi
  else
    log "$CONF exists and is not Wharf's; leaving it alone and writing $DROPIN instead"
    if write_if_changed "$DROPIN" "$body"; then CONFIG_CHANGED=1; fi
  fi
}

# Trust a plain-HTTP registry on 127.0.0.1:PORT (Wharf's own registry in tests and single-host installs).
add_insecure_registry() {
  local port="$1" body
  [[ "$port" =~ ^[0-9]{1,5}$ ]] && ((port > 0 && port < 65536)) || die "--insecure-registry wants a port number, got '$port'"
  body="$(
    cat <<EOF
$MARKER.
[[registry]]
location = "127.0.0.1:$port"
insecure = true
EOF
  )"
  if write_if_changed "$REGISTRIES_DIR/wharf-$port.conf" "$body"; then REGISTRIES_CHANGED=1; fi
}
REGISTRIES_CHANGED=0

# A running `podman system service` reads registries.conf(.d) once and caches it (verified on Podman 4.3:
# a new insecure entry is ignored until restart). Restart it only if this script started it (pid file);
# containers keep running across the restart (conmon owns them), in-flight API calls fail.
PIDFILE="$(dirname "$SOCK")/wharf-podman-service.pid"
restart_service_if_ours() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "podman system service"; then
    log "registries changed: restarting the podman service (pid $pid) so it reads them"
    kill "$pid"
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    start_service
  elif socket_answers; then
    log "note: registries changed; the podman service at $SOCK was not started by this script: restart it to apply"
  fi
}

socket_answers() {
  [[ -S "$SOCK" ]] && [[ "$(curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null)" == "OK" ]]
}

start_service() {
  if socket_answers; then
    if ((CONFIG_CHANGED)); then
      log "note: containers.conf changed while the service at $SOCK was running; it reads the file at start, restart it to apply"
    fi
    log "podman service answers at $SOCK"
    return
  fi
  mkdir -p "$(dirname "$SOCK")"
  # A socket file left behind by a dead service makes the new one fail to bind.
  [[ -S "$SOCK" ]] && rm -f "$SOCK"
  log "starting: podman system service -t 0 unix://$SOCK (log: $SERVICE_LOG)"
  # setsid + nohup: the service must outlive this script and the shell that ran it. Its working directory
  # is its own: conmon 2.1 (which inherits it) writes an `oom` marker file there on every OOM kill, which
  # otherwise lands in whatever directory this script was run from (a stray `oom` in the checkout).
  mkdir -p /var/lib/wharf-podman-service
  pushd /var/lib/wharf-podman-service >/dev/null
  setsid nohup podman system service -t 0 "unix://$SOCK" >>"$SERVICE_LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  popd >/dev/null
  local i
  for ((i = 0; i < 200; i++)); do # 200 × 50 ms = 10 s; it usually answers in < 1 s
    if socket_answers; then
      log "podman service answers at $SOCK (pid $(cat "$PIDFILE"))"
      return
    fi
    sleep 0.05
  done
  tail -n 20 "$SERVICE_LOG" >&2 || true
  die "podman service did not answer on $SOCK within 10 s"
}

main() {
  local start=1 only_registry=0 ports=()
  while (($#)); do
    case "$1" in
      --insecure-registry) ports+=("${2:?--insecure-registry needs a port}"); shift 2 ;;
      --insecure-registry-only) only_registry=1; ports+=("${2:?--insecure-registry-only needs a port}"); shift 2 ;;
      --no-service) start=0; shift ;;
      -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
  done
  require_root
  if ((only_registry)); then
    local p
    for p in "${ports[@]}"; do add_insecure_registry "$p"; done
    ((REGISTRIES_CHANGED)) && restart_service_if_ours
    return 0
  fi
  install_packages
  write_containers_conf
  local p
  for p in "${ports[@]}"; do add_insecure_registry "$p"; done
  if ((start)); then
    start_service
    ((REGISTRIES_CHANGED)) && restart_service_if_ours
  fi
  log "ready"
}

main "$@"
