"""Scrapyard's job runner: activate a project egg, then hand over to Scrapy's CLI.

Usage: <python> scrapyard_runner.py <scrapy args...>   e.g. `crawl myspider -a k=v`, `list`

Replaces `scrapyd.runner` (docs/scrapyd-api.md §2.4). Scrapyd activates the egg with pkg_resources, which is
deprecated, slow to import and gone from recent setuptools; an egg is just a zip with an
EGG-INFO/ directory, so zipimport (built in) plus parsing entry_points.txt ourselves does the same
job on any Python 3.9+ with Scrapy 2.8 or newer. zipimport also gives packages inside the egg a
loader with get_data(), so `pkgutil.get_data()` finds data files shipped in the egg.

Environment:
  SCRAPYARD_EGG_PATH  optional path to the egg (the agent resolves project/version to a file).
  SCRAPY_PROJECT      left alone; Scrapy uses it to pick scrapy.cfg [settings] when no egg is used.
  SCRAPYARD_EXIT_FILE optional path; the exit status is written there on the way out, so an agent that
                      restarted mid-crawl (and so is no longer this process's parent) still learns it.
  SCRAPYARD_STATS_SOCKET / SCRAPYARD_STATS_FILE  with either, the live stats extension (scrapyard_stats.py,
                      beside this script) is added to EXTENSIONS_BASE; see that module.
  SCRAPYARD_STATS_TOKEN_FD  an inherited socket the agent writes this run's stats token to: read once at start
                      and closed; the token stays in memory (never the environment), and live reports carry it.
Exit status is Scrapy's own, except 2 for an unusable egg (stderr line `BadEggError: ...`).
"""

import configparser
import os
import re
import socket
import sys
import zipfile

ENTRY_POINTS = "EGG-INFO/entry_points.txt"


def bad_egg(message):
    # One clean line instead of a traceback: the agent relays stderr verbatim to API clients.
    sys.stderr.write("BadEggError: %s\n" % message)
    sys.stderr.flush()
    sys.exit(2)


def settings_module(egg_path):
    """Return the module named by the egg's `[scrapy] settings = ...` entry point."""
    try:
        with zipfile.ZipFile(egg_path) as egg:
            text = egg.read(ENTRY_POINTS).decode("utf-8")
    except KeyError:
        bad_egg("%s has no %s" % (egg_path, ENTRY_POINTS))
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        bad_egg("cannot read %s from %s: %s" % (ENTRY_POINTS, egg_path, exc))
    # No interpolation: a '%' in a value must not be an error. Keys stay case-sensitive like
    # pkg_resources' entry point names.
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str
    try:
        parser.read_string(text, source=ENTRY_POINTS)
    except configparser.Error as exc:
        bad_egg("malformed %s in %s: %s" % (ENTRY_POINTS, egg_path, exc))
    value = parser.get("scrapy", "settings", fallback="").strip()
    # Entry point syntax is `module[:attr] [extras]`; pkg_resources' module_name is the part
    # before ':' and Scrapyd uses only that.
    module = value.split("[", 1)[0].split(":", 1)[0].strip()
    if not module:
        bad_egg("%s declares no [scrapy] settings entry point" % egg_path)
    return module


def activate_egg(egg_path):
    if not os.path.isfile(egg_path):
        bad_egg("%s does not exist" % egg_path)
    if not zipfile.is_zipfile(egg_path):
        bad_egg("%s is not a zip file" % egg_path)
    module = settings_module(egg_path)
    # Front of sys.path so the egg's packages win over same-named ones installed in the
    # environment, as pkg_resources' activate() does for an egg inserted at index 0.
    sys.path.insert(0, egg_path)
    # setdefault: an explicit SCRAPY_SETTINGS_MODULE (e.g. [settings] projects) takes priority.
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", module)


def load_stats_extension():
    """Imports scrapyard_stats now, while this script's directory is still first on sys.path (main() replaces it),
    so Scrapy later finds it by name in sys.modules. None when the agent asked for no stats."""
    if not (os.environ.get("SCRAPYARD_STATS_SOCKET") or os.environ.get("SCRAPYARD_STATS_FILE")):
        return None
    try:
        import scrapyard_stats

        return scrapyard_stats
    except ImportError:
        return None


def read_stats_token():
    """The run's stats token from the socket the agent passed (SCRAPYARD_STATS_TOKEN_FD), or None. The socket is
    closed either way, so the crawl's own children don't inherit it."""
    fd = os.environ.pop("SCRAPYARD_STATS_TOKEN_FD", "")
    if not fd.isdigit():
        return None
    try:
        sock = socket.socket(fileno=int(fd))
    except OSError:
        return None
    data = b""
    try:
        sock.settimeout(10)  # the agent writes it right after the spawn; never hang a crawl on it
        while len(data) <= 128:
            chunk = sock.recv(128)
            if not chunk:
                break
            data += chunk
    except OSError:
        return None
    finally:
        sock.close()
    token = data.strip()
    return token if re.fullmatch(rb"[0-9a-f]{64}", token) else None


def enable_stats_extension():
    # EXTENSIONS_BASE, not EXTENSIONS: the project's own EXTENSIONS setting stays exactly as it wrote it. Settings
    # objects copy default_settings when created, which Scrapy's CLI does after this.
    from scrapy.settings import default_settings

    base = dict(default_settings.EXTENSIONS_BASE)
    base["scrapyard_stats.LiveStats"] = 1000  # last: its spider_closed runs after CoreStats sets finish_reason
    default_settings.EXTENSIONS_BASE = base


def main():
    token = read_stats_token()
    stats_extension = load_stats_extension()
    if stats_extension is not None:
        stats_extension.TOKEN = token
    # Scrapyd runs `python -m scrapyd.runner`, which puts the working directory (not this script's
    # directory) first on sys.path; mimic that so projects relying on it behave the same.
    script_dir = os.path.dirname(os.path.abspath(__file__))
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == script_dir:
        sys.path[0] = os.getcwd()

    egg_path = os.environ.get("SCRAPYARD_EGG_PATH")
    if egg_path:
        activate_egg(egg_path)

    # Imported only after the egg is on sys.path so Scrapy's settings lookup can see it.
    from scrapy.cmdline import execute

    if stats_extension is not None:
        enable_stats_extension()

    execute(argv=["scrapy"] + sys.argv[1:])


def record_exit(code):
    path = os.environ.get("SCRAPYARD_EXIT_FILE")
    if not path:
        return
    try:
        if os.path.exists(path):
            # Made by the agent for a crawl that runs as another user, who may write it but not create files
            # beside it. The agent reads it only once this process is gone, so an in-place write is whole.
            with open(path, "w") as f:
                f.write(str(code))
            return
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(code))
        os.replace(tmp, path)  # atomic: the agent never reads a half-written status
    except OSError:
        pass


def exit_code_of(exc):
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


if __name__ == "__main__":
    try:
        main()
    except SystemExit as exc:
        record_exit(exit_code_of(exc))
        raise
    except BaseException:
        record_exit(1)
        raise
    record_exit(0)
