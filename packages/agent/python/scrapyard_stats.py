"""Scrapyard's live stats extension: report a crawl's Scrapy stats and exceptions to the agent, without log parsing.

The runner (scrapyard_runner.py) adds `scrapyard_stats.LiveStats` to EXTENSIONS_BASE, so a project's own EXTENSIONS
are never replaced (a project may still switch it off with `'scrapyard_stats.LiveStats': None`).

Environment (set by the agent; with neither, the extension does nothing):
  SCRAPYARD_STATS_SOCKET    path of a Unix stream socket the agent listens on, one per run. Each report is one short
                            connection: connect, one non-blocking send, close. A report starts with the run's token
                            (TOKEN below, which the runner reads from the agent at start) and a newline: the agent
                            drops anything else, so no other process can report for this run. No token, no reports. Anything that would block (a full
                            socket buffer, an agent that is gone or restarting) drops that report: a crawl never
                            waits on its stats.
  SCRAPYARD_STATS_FILE      path the final stats are written to when the crawl closes (the closing dump), so the
                            agent has them even when no report got through.
  SCRAPYARD_STATS_INTERVAL  seconds between reports (default 5); the Scrapy setting of the same name wins.

Works on Scrapy 2.8+ and Python 3.9+; imports nothing from Scrapy at module level (the runner imports this module
before the project's egg is on sys.path).
"""

import collections
import datetime
import json
import logging
import math
import os
import socket
import time
import traceback

DEFAULT_INTERVAL = 5.0
# The agent refuses reports larger than this (packages/agent/src/runner/stats-channel.ts).
MAX_PAYLOAD = 512 * 1024
MAX_KEYS = 1000
MAX_KEY = 200
MAX_TEXT = 1000
KEPT = 5
MAX_TYPES = 100
TRACEBACK_MAX = 8000
TRACEBACK_SHORT = 1000
# This run's token (64 hex digits, bytes), set by scrapyard_runner.py; only in this process's memory.
TOKEN = None


def _epoch_ms(value):
    # Scrapy 2.8 records naive UTC datetimes (utcnow()); later versions aware ones.
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return int(value.timestamp() * 1000)


def _jsonable(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime.datetime):
        return _epoch_ms(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return str(value)[:MAX_TEXT]


def stats_snapshot(stats):
    """A JSON-safe copy of a stats dict, bounded in keys and text."""
    out = {}
    for key, value in list(stats.items()):
        if len(out) >= MAX_KEYS:
            break
        out[str(key)[:MAX_KEY]] = _jsonable(value)
    return out


class ExceptionLog(logging.Handler):
    """Keeps the crawl's ERROR records (spider callbacks, downloads, pipelines all log their exceptions at ERROR with
    exc_info): the first and last few with tracebacks, and a count per exception type. Bounded whatever the crawl does."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.total = 0
        self.by_type = {}
        self.first = []
        self.last = collections.deque(maxlen=KEPT)

    def emit(self, record):
        try:
            exc = record.exc_info
            if exc and exc[0] is not None:
                kind = getattr(exc[0], "__name__", "Exception")
                message = str(exc[1])
                text = "".join(traceback.format_exception(*exc))
            else:
                kind = "LoggedError"
                message = record.getMessage()
                text = ""
            entry = {
                "at": int(record.created * 1000),
                "type": kind[:200],
                "message": message[:MAX_TEXT],
                "context": record.getMessage()[:MAX_TEXT],
                # The end of a traceback says most (the innermost frames and the exception).
                "traceback": text[-TRACEBACK_MAX:],
            }
        except Exception:  # a broken record must never break the crawl's logging
            return
        self.total += 1
        if kind not in self.by_type and len(self.by_type) >= MAX_TYPES - 1:
            kind = "other"
        self.by_type[kind] = self.by_type.get(kind, 0) + 1
        if len(self.first) < KEPT:
            self.first.append(entry)
        else:
            self.last.append(entry)

    def summary(self, short=False):
        def cut(e):
            return dict(e, traceback=e["traceback"][-TRACEBACK_SHORT:]) if short else e

        return {
            "total": self.total,
            "byType": dict(self.by_type),
            "first": [cut(e) for e in self.first],
            "last": [cut(e) for e in self.last],
        }


def write_file(path, data):
    """Whole or not at all: in place when the agent made the file (a crawl user may not create files beside it)."""
    try:
        if os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            return
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        pass


class LiveStats:
    def __init__(self, crawler, socket_path, file_path, interval):
        self.crawler = crawler
        self.socket_path = socket_path
        self.file_path = file_path
        self.interval = interval
        self.exceptions = ExceptionLog()
        self.loop = None
        self.hooked = False
        self.final_sent = False

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        socket_path = os.environ.get("SCRAPYARD_STATS_SOCKET") or None
        file_path = os.environ.get("SCRAPYARD_STATS_FILE") or None
        if not socket_path and not file_path:
            raise NotConfigured
        try:
            env_interval = float(os.environ.get("SCRAPYARD_STATS_INTERVAL") or DEFAULT_INTERVAL)
        except ValueError:
            env_interval = DEFAULT_INTERVAL
        interval = crawler.settings.getfloat("SCRAPYARD_STATS_INTERVAL", env_interval)
        ext = cls(crawler, socket_path, file_path, max(0.1, interval))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        ext.hook_dump()
        return ext

    def hook_dump(self):
        """The final stats are exactly what Scrapy dumps: the collector's stats as its close_spider() starts, which
        formats them before logging 'Dumping Scrapy stats' (that line and later ones, e.g. 'Spider closed', count in
        log_count/INFO after the dump was taken)."""
        stats = self.crawler.stats
        close = getattr(stats, "close_spider", None)
        if close is None:
            return
        self.hooked = True

        def report_then_close(*args, **kwargs):
            self.report(final=True)
            return close(*args, **kwargs)

        stats.close_spider = report_then_close

    def spider_opened(self, spider):
        from twisted.internet import task

        logging.getLogger().addHandler(self.exceptions)
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=True)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        # Fallback for a stats collector without close_spider: report here (close enough to the dump).
        if not self.hooked and not self.final_sent:
            self.report(final=True)

    def payload(self, final, short=False):
        body = {
            "v": 1,
            "at": int(time.time() * 1000),
            "final": final,
            "stats": stats_snapshot(self.crawler.stats.get_stats()),
            "exceptions": self.exceptions.summary(short),
        }
        return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("utf-8")

    def report(self, final=False):
        try:
            data = self.payload(final)
            if len(data) > MAX_PAYLOAD:
                data = self.payload(final, short=True)
            if final:
                self.final_sent = True
                logging.getLogger().removeHandler(self.exceptions)
                if self.file_path:
                    write_file(self.file_path, data)
            if len(data) <= MAX_PAYLOAD:
                self.send(data)
        except Exception:  # reporting must never disturb the crawl
            pass

    def send(self, data):
        if not self.socket_path or not TOKEN:
            return
        data = TOKEN + b"\n" + data
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            # Non-blocking: connecting to a missing socket or an agent whose backlog is full fails at once.
            sock.connect(self.socket_path)
            # A partial send leaves an incomplete report, which the agent discards at the close.
            sock.send(data, socket.MSG_DONTWAIT)
        except OSError:
            pass
        finally:
            sock.close()
