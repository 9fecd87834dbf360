#!/usr/bin/env bash
# Puts `scrapyard-master` and `scrapyard-agent` on PATH: symlinks PREFIX/bin/<name> → packages/<pkg>/bin/<name>.mjs
# of this checkout. Symlinks, not copies or wrappers: the bins' shebang (node --max-semi-space-size=4) applies as is,
# a rebuild (dist/) needs no re-install, and re-running replaces the links in place.
#   bash scripts/install-bin.sh [PREFIX]    default: /usr/local as root, else ~/.local
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd -P)"

prefix="${1:-}"
if [ -z "$prefix" ]; then
  if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
fi
bin="$prefix/bin"
mkdir -p "$bin"

for pkg in master agent; do
  name="scrapyard-$pkg"
  target="$repo/packages/$pkg/bin/$name.mjs"
  link="$bin/$name"
  # A regular file of that name is someone else's install: leave it and say so rather than overwrite it.
  if [ -e "$link" ] && [ ! -L "$link" ]; then
    echo "install-bin: $link exists and is not a link to this checkout; left alone" >&2
    exit 1
  fi
  chmod a+x "$target"
  ln -sfn "$target" "$link"
done

echo "==> scrapyard-master, scrapyard-agent → $bin"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "    $bin is not on your PATH: add it (e.g. export PATH=\"$bin:\$PATH\" in ~/.profile)" ;;
esac
