#!/usr/bin/env bash
# Makes sure the programs the tests run for real are installed, from Debian's packages:
# - redis-server: the rate-limit, cache and router tests start one;
# - prometheus (ships promtool too): `promtool check metrics` on the providers' metrics, and a real
#   Prometheus scraping the demo dashboard for every query of dashboards/x-llm.json;
# - chromium: the demo dashboard opened in a headless browser (driven by playwright-core).
# Run first by `pnpm check` (the README's test command) and by `.ci/run`. When one is missing it
# is installed if this user can (root, or sudo without a password); otherwise it says what to
# install and fails: a test that needs a real tool never skips. Each `*_BIN` variable points the
# tests at another copy.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || [ -n "${REDIS_SERVER_BIN:-}" ] || need+=(redis-server)
{ [ -x /usr/bin/prometheus ] || [ -n "${PROMETHEUS_BIN:-}" ]; } &&
  { [ -x /usr/bin/promtool ] || [ -n "${PROMTOOL_BIN:-}" ]; } || need+=(prometheus)
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM_BIN:-}" ] || need+=(chromium)

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
