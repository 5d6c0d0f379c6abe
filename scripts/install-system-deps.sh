#!/usr/bin/env bash
# Install the Debian packages the test suite needs.
#
# Idempotent and fast when everything is already there: each package's status
# (what `dpkg -s` shows) is checked first, and apt runs only if one is missing.
# Works as root (CI); as another user it uses sudo when available.
#
# Add packages to SYSTEM_PACKAGES below (e.g. chromium, postgresql).
set -euo pipefail

SYSTEM_PACKAGES=(
  openssh-server
  openssh-client
  chromium
  fonts-dejavu-core
  postgresql
  busybox
  prometheus
)

log() { printf 'install-system-deps: %s\n' "$*" >&2; }

is_installed() {
  # Same check as `dpkg -s`, but only the status: a removed package whose config
  # files remain is known to dpkg (dpkg -s succeeds) without being installed.
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ $status == "install ok installed" ]]
}

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  if ! is_installed "$pkg"; then
    missing+=("$pkg")
  fi
done

# sshd refuses to start without its privilege separation directory.
need_privsep_dir=false
[[ -d /run/sshd ]] || need_privsep_dir=true

as_root=()
if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  elif [[ ${#missing[@]} -gt 0 || $need_privsep_dir == true ]]; then
    log "not root and sudo is not available; as root, run:"
    if [[ ${#missing[@]} -gt 0 ]]; then
      log "  apt-get install -y --no-install-recommends ${missing[*]}"
    fi
    if [[ $need_privsep_dir == true ]]; then
      log "  mkdir -p /run/sshd"
    fi
    exit 1
  fi
fi

# apt/dpkg may be busy (e.g. an install running in the background): let apt
# wait for its locks, and retry a few times (lists lock, flaky mirror).
apt_retry() {
  local attempt
  for attempt in 1 2 3; do
    if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
         apt-get -o DPkg::Lock::Timeout=600 "$@"; then
      return 0
    fi
    log "apt-get $1 failed (attempt ${attempt}/3), retrying in 10 s..."
    sleep 10
  done
  log "apt-get $* failed"
  return 1
}

if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing: ${missing[*]}"
  apt_retry update
  apt_retry install -y --no-install-recommends "${missing[@]}"
else
  log "all present: ${SYSTEM_PACKAGES[*]}"
fi

if [[ $need_privsep_dir == true ]]; then
  "${as_root[@]}" mkdir -p -m 0755 /run/sshd
fi
