#!/usr/bin/env bash
# Installs everything Scrapyard needs on a fresh Debian machine, then builds it. Safe to re-run.
#   - Debian's Scrapy (python3-scrapy) and the venv/pip/wheel tools agents use to build project venvs
#   - pnpm 10 (through npm: corepack's download is not reachable everywhere)
#   - node modules (better-sqlite3 is compiled from source when no prebuilt binary can be fetched) and `tsc -b`
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=0
/usr/bin/python3 -c 'import scrapy' 2>/dev/null || need_apt=1
/usr/bin/python3 -c 'import ensurepip, wheel, pip' 2>/dev/null || need_apt=1
if [ "$need_apt" = 1 ]; then
  echo "==> installing Debian packages (python3-scrapy and friends)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    python3-scrapy python3-venv python3-pip python3-wheel python3-setuptools >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version | grep -q '^10\.'; then
  echo "==> installing pnpm 10"
  $SUDO npm install -g pnpm@10 >/dev/null 2>&1
fi

echo "==> installing node modules"
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -v '^Progress' | tail -n 5
echo "==> building"
pnpm build
