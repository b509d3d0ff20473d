#!/usr/bin/env bash
# Installs the system packages the suites use for real, when they are missing: Debian's chromium
# (interop, web storage, msw's browser worker), redis-server (the Redis store) and tmux (the keyway
# CLI's pty suite). Needs root or sudo.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
command -v tmux >/dev/null 2>&1 || needed+=(tmux)
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
sudo=''
if [ "$(id -u)" -ne 0 ]; then
  sudo='sudo'
fi
echo "installing ${needed[*]} (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
