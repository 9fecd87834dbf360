#!/usr/bin/env bash
# Installs everything Scrapyard needs on a fresh Debian machine, then builds it. Safe to re-run.
#   - Debian's Scrapy (python3-scrapy) and the venv/pip/wheel tools agents use to build project venvs
#   - Debian's PostgreSQL server binaries (the tests' and the bench's throwaway servers; no cluster is used)
#   - pnpm 10 (through npm: corepack's download is not reachable everywhere)
#   - node modules (better-sqlite3 is compiled from source when no prebuilt binary can be fetched) and `tsc -b`
#   - `scrapyard-master` and `scrapyard-agent` on PATH (scripts/install-bin.sh: links in /usr/local/bin)
#   - `scrapyd-deploy` through pipx when it is missing and PyPI answers (never fatal: it only deploys to the master)
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_packages=()
if ! /usr/bin/python3 -c 'import scrapy' 2>/dev/null || ! /usr/bin/python3 -c 'import ensurepip, wheel, pip' 2>/dev/null; then
  apt_packages+=(python3-scrapy python3-venv python3-pip python3-wheel python3-setuptools)
fi
# The server binaries only: tests and the bench start throwaway servers of their own (scripts/pg-server.mjs).
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then apt_packages+=(postgresql); fi
# What only the test suite needs (.ci/run sets this): zsh (the completion script), Chromium (browser tests).
if [ -n "${SCRAPYARD_INSTALL_TEST_TOOLS:-}" ] && ! command -v zsh >/dev/null; then apt_packages+=(zsh); fi
# The browser tests (test/helpers/browser.ts) drive Debian's Chromium through playwright-core.
if [ -n "${SCRAPYARD_INSTALL_TEST_TOOLS:-}" ] && [ ! -x /usr/bin/chromium ]; then apt_packages+=(chromium); fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "==> installing Debian packages: ${apt_packages[*]}"
  # postgresql's postinst starts the distribution's cluster through invoke-rc.d. Without systemd (a container) that
  # start can fail, and with it the install: unless a policy is in place, a temporary one (invoke-rc.d(8)) forbids it.
  policy=""
  if [ ! -d /run/systemd/system ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
  fi
  $SUDO apt-get update -qq
  # env: sudo would drop DEBIAN_FRONTEND from its environment.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
  if [ -n "$policy" ]; then
    $SUDO rm -f "$policy"
    trap - EXIT
  fi
fi

if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version | grep -q '^10\.'; then
  echo "==> installing pnpm 10"
  $SUDO npm install -g pnpm@10 >/dev/null 2>&1
fi

echo "==> installing node modules"
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -v '^Progress' | tail -n 5
echo "==> building"
pnpm build

echo "==> installing the commands"
# /usr/local/bin is on everyone's PATH; without root or sudo, ~/.local/bin (install-bin.sh says if it is not on PATH).
if [ -z "$SUDO" ] || command -v sudo >/dev/null 2>&1; then
  $SUDO bash scripts/install-bin.sh /usr/local
else
  bash scripts/install-bin.sh
fi

bash scripts/install-scrapyd-client.sh || true
