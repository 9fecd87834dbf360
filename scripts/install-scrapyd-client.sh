#!/usr/bin/env bash
# Offers `scrapyd-deploy` (PyPI's scrapyd-client), the usual way to upload a project to the master. Debian's pip
# refuses system-wide installs (PEP 668, "externally-managed-environment"), so it goes through pipx, installed
# from apt. Never fails: without apt or PyPI it says what to run instead, and install.sh carries on.
set -uo pipefail

if command -v scrapyd-deploy >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
how='pipx install scrapyd-client   (or a venv: python3 -m venv ~/scrapyd-client &&'
how+=' ~/scrapyd-client/bin/pip install scrapyd-client)'

if ! command -v pipx >/dev/null 2>&1; then
  echo "==> installing pipx (for scrapyd-deploy)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pipx >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq >/dev/null 2>&1 &&
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pipx >/dev/null 2>&1; }
fi
if ! command -v pipx >/dev/null 2>&1; then
  echo "    scrapyd-deploy not installed: pipx could not be installed from apt. Install pipx, then: $how"
  exit 0
fi

# As root, where every user finds it, like scrapyard-master; otherwise pipx's own ~/.local/bin.
if [ "$(id -u)" -eq 0 ]; then export PIPX_HOME=/opt/pipx PIPX_BIN_DIR=/usr/local/bin; fi
echo "==> installing scrapyd-deploy (pipx install scrapyd-client)"
log="$(mktemp)"
# One short try: an unreachable PyPI must not hold the install for minutes.
if PIP_RETRIES=0 PIP_TIMEOUT=15 timeout 300 pipx install scrapyd-client >"$log" 2>&1; then
  echo "    $(command -v scrapyd-deploy || echo "scrapyd-deploy installed; run \`pipx ensurepath\` to put it on PATH")"
else
  why="$(grep -m 1 'ERROR:' "$log" | sed 's/^ *//')"
  echo "    scrapyd-deploy not installed: PyPI did not answer (${why:-$(tail -n 1 "$log")})."
  echo "    When it is: $how"
fi
rm -f "$log"
exit 0
