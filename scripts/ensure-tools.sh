#!/usr/bin/env bash
# Makes sure the programs the tests run for real are installed: redis-server (the Redis tests).
# Run first by `pnpm check` (the README's test command) and by `.ci/run`. When one is missing it
# is installed from Debian's packages if this user can (root, or sudo without a password);
# otherwise it says what to install and fails: a test that needs a real server never skips.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || [ -n "${REDIS_SERVER_BIN:-}" ] || need+=(redis-server)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: missing ${need[*]}; install them (the tests run them for real)" >&2
  exit 1
fi
sudo_cmd=""
if [ "$(id -u)" != "0" ]; then
  if sudo -n true 2>/dev/null; then
    sudo_cmd="sudo -n"
  else
    echo "ensure-tools: missing ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
echo "ensure-tools: installing ${need[*]} from Debian's packages" >&2
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
