"""``loket-server notify``: the message sender as its own worker, one test message, the outbox's counts."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from sync.server.core import Server
from sync.server.notify import CHANNEL_NAMES, Notifier
from sync.server.notify_channels import SendError
from sync.server.notify_settings import NotifySettings, SettingsError, load


def add_parser(sub: Any) -> None:
    notify = sub.add_parser("notify", help="messages to citizens (settings: DATA/notify.toml)")
    what = notify.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(notify))
    run = what.add_parser("run", help="send due messages until stopped (several workers may run at once)")
    run.add_argument("--once", action="store_true", help="send what is due now, then stop")
    test = what.add_parser("test", help="send one test message now")
    test.add_argument("--to", required=True, help="an e-mail address or a phone number (08…)")
    what.add_parser("status", help="how many messages wait, were sent or failed")


def settings(args: argparse.Namespace, public_url: str) -> NotifySettings | None:
    try:
        return load(args.data, public_url)
    except SettingsError as err:
        sys.stderr.write(f"loket-server: {err}\n")
        return None


def notifier_for_run(args: argparse.Namespace, server: Server, public_url: str) -> Notifier | None:
    """The sender ``loket-server run`` keeps beside the API (none when no channel is on, or IT runs workers)."""
    found = settings(args, public_url)
    if found is None:  # IT asked for messages and would not know they are off: refuse to start
        raise SystemExit(2)
    if not found.enabled or found.mode != "inline":
        return None
    return Notifier(server.engine, found, server.catalog, server.offices)


def main(args: argparse.Namespace, server: Server, public_url: str) -> int:
    found = settings(args, public_url)
    if found is None:
        return 2
    notifier = Notifier(server.engine, found, server.catalog, server.offices)
    if args.sub == "test":
        try:
            channel = notifier.send_test(args.to)
        except SendError as err:
            sys.stderr.write(f"loket-server: pesan uji tidak terkirim / test message not sent: {err}\n")
            return 1
        _say(args, {"sent": True, "channel": channel}, f"Pesan uji terkirim lewat {CHANNEL_NAMES[channel]}.")
        return 0
    if args.sub == "status":
        counts = notifier.pending()
        _say(args, counts, "\n".join(f"{k:10} {v}" for k, v in sorted(counts.items())) or "kosong")
        return 0
    if args.sub == "run":
        if not found.enabled:
            sys.stderr.write("loket-server: no channel is enabled in notify.toml\n")
            return 2
        while True:
            tried = notifier.run_once()
            if args.once and not tried:
                return 0
            if not tried:
                time.sleep(found.interval_seconds)
    sys.stderr.write("loket-server: notify run | test --to ADDRESS | status\n")
    return 2


def _say(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if args.json else text)
