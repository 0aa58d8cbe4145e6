"""``loket-server``: init, run, users, enrolment codes, revocation, CA export."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app import __version__
from app.signing.certificates import REVOCATION_REASONS
from sync import demo_people
from sync.server import cli_notify
from sync.server.ca import AuthorityError
from sync.server.core import ApiError, Server

DEMO_USERS = demo_people.DEMO_USERS  # one list for the demo server and the demo laptop


DEFAULT_THREADS = 16  # per process: Python runs one thread at a time, more only queue inside the process
RUN_ARGS = "LOKET_SERVER_RUN_ARGS"  # how `run --workers N` hands its arguments to each worker process


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        sys.stderr.write(f"loket-server: {message}\n")
        raise SystemExit(2)


def build_parser() -> Parser:
    p = Parser(prog="loket-server", description="Loket central server")
    p.add_argument("--data", type=Path, default=Path("loket-server-data"))
    p.add_argument("--database-url", default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--public-url", default=None,
                   help="address citizens reach (QR codes, CRL); default http://127.0.0.1:PORT")
    p.add_argument("--version", action="version", version=f"loket-server {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    init = sub.add_parser("init", help="create the schema, the CA and the offices")
    init.add_argument("--demo", action="store_true", help="also add demo users and print their codes")
    run = sub.add_parser("run", help="serve the API")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8765)
    run.add_argument("--tls-cert", type=Path, default=None,
                     help="serve HTTPS with this certificate (PEM, with its chain); needs --tls-key")
    run.add_argument("--tls-key", type=Path, default=None, help="the certificate's private key (PEM)")
    run.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                     help="reverse proxies whose X-Forwarded-For is believed (client address of the /enroll limit)")
    run.add_argument("--workers", type=int, default=1, choices=range(1, 65), metavar="N",
                     help="server processes sharing the port (one per CPU core serves most; default 1)")
    run.add_argument("--threads", type=int, default=DEFAULT_THREADS, choices=range(1, 257), metavar="N",
                     help=f"requests handled at once per process (default {DEFAULT_THREADS}); the others wait in "
                     "line, never for a database connection")
    run.add_argument("--pool-size", type=int, default=None, choices=range(1, 257), metavar="N",
                     help="database connections per process (default: --threads, so that no request waits for one)")
    add = sub.add_parser("user", help="users").add_subparsers(dest="sub", parser_class=Parser)
    ua = add.add_parser("add", help="add a user and print a one-time enrolment code")
    ua.add_argument("--office", required=True)
    ua.add_argument("--role", required=True)
    ua.add_argument("--name", required=True)
    ua.add_argument("--nip")
    ua.add_argument("--username")
    ua.add_argument("--position")
    code = sub.add_parser("enrolment-code", help="a fresh one-time code for an existing user")
    code.add_argument("--user", required=True)
    rv = sub.add_parser("revoke", help="revoke a user, a device or a certificate",
                        description="Revoke a user (all devices and certificates), a device (and its "
                        "certificates) or one certificate (hex serial). Letters timestamped before the "
                        "revocation stay valid; approvals received after it are refused.",
                        epilog="reason codes (carried in the CRL as RFC 5280 reasons): " + "; ".join(
                            f"{r.code} = {r.flag.name} ({r.label_en})" for r in REVOCATION_REASONS.values()))
    who = rv.add_mutually_exclusive_group(required=True)
    who.add_argument("--user")
    who.add_argument("--device")
    who.add_argument("--certificate")
    rv.add_argument("--reason", required=True, help="free text for the admin record (not published)")
    rv.add_argument("--reason-code", choices=list(REVOCATION_REASONS), default="lainnya",
                    help="why, in the city's words; published in the CRL and on the verification page")
    rv.add_argument("--since", default=None, metavar="ISO-TIME",
                    help="for hilang: when the key may have left the signer's hands (CRL invalidityDate); "
                    "letters timestamped after it are no longer valid")
    ca = sub.add_parser("ca", help="city CA").add_subparsers(dest="sub", parser_class=Parser)
    ca.add_parser("export", help="print the CA certificate (PEM)")
    cli_notify.add_parser(sub)
    return p


def database_url(data: Path, url: str | None) -> str:
    if url:
        return url
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    data.chmod(0o700)  # the database holds the city's citizen data (and, without a passphrase, the CA key)
    return f"sqlite:///{data / 'loket-server.db'}"


def public_url(args: argparse.Namespace) -> str:
    if args.public_url:
        return str(args.public_url).rstrip("/")
    scheme = "https" if getattr(args, "tls_cert", None) else "http"
    return f"{scheme}://127.0.0.1:{getattr(args, 'port', None) or 8765}"


def open_server(args: argparse.Namespace) -> Server:
    from sync.server.ca import Authority
    from sync.server.storage import create_schema, make_engine

    pool = getattr(args, "pool_size", None) or getattr(args, "threads", None)
    engine = make_engine(database_url(args.data, args.database_url), pool_size=pool)
    if args.command in ("init", "run", "notify"):
        create_schema(engine)
    authority = Authority.ensure(args.data / "ca", engine, public_url(args)) \
        if args.command in ("init", "run", "ca") else None
    return Server.open(engine, authority)


def _username(name: str) -> str:
    base = "".join(ch for ch in name.lower().split(",")[0].split()[0] if ch.isalnum()) or "user"
    return base[:24]


def _print(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1) if args.json else text)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.command:
        build_parser().print_help(sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.umask(0o077)  # the database, its journals and anything else the server writes: owner only
    try:
        return _dispatch(args)
    except (ApiError, AuthorityError) as err:
        sys.stderr.write(f"{err}\n")
        return 1


def _run(args: argparse.Namespace, server: Server) -> int:
    import uvicorn

    from sync.server.app import create_app

    if bool(args.tls_cert) != bool(args.tls_key):
        sys.stderr.write("loket-server: --tls-cert and --tls-key go together\n")
        return 2
    for path in (args.tls_cert, args.tls_key):
        if path is not None and not path.is_file():
            sys.stderr.write(f"loket-server: {path} is not a readable file\n")
            return 2
    server.init()
    options: dict[str, Any] = {
        "host": args.host, "port": args.port, "log_level": "warning", "proxy_headers": True,
        "forwarded_allow_ips": args.forwarded_allow_ips,
        "ssl_certfile": str(args.tls_cert) if args.tls_cert else None,
        "ssl_keyfile": str(args.tls_key) if args.tls_key else None}
    if args.workers == 1:
        notifier = cli_notify.notifier_for_run(args, server, public_url(args))
        uvicorn.run(create_app(server, notifier, threads=args.threads), **options)
        return 0
    # several workers: each opens its own connections; the citizens' messages are then sent by
    # `loket-server notify run` (notify.toml's mode = worker), never by several senders inside the workers
    server.engine.dispose()
    os.environ[RUN_ARGS] = json.dumps(_as_argv(args))
    uvicorn.run("sync.server.cli:worker_app", factory=True, workers=args.workers, **options)
    return 0


def _as_argv(args: argparse.Namespace) -> list[str]:
    """What a worker needs to open the same server (the address and TLS stay with the listening process)."""
    argv = ["--data", str(args.data)]
    if args.database_url:
        argv += ["--database-url", args.database_url]
    if args.public_url:
        argv += ["--public-url", args.public_url]
    argv += ["run", "--port", str(args.port), "--threads", str(args.threads)]
    if args.tls_cert:  # only so that the default public address says https
        argv += ["--tls-cert", str(args.tls_cert), "--tls-key", str(args.tls_key)]
    if args.pool_size:
        argv += ["--pool-size", str(args.pool_size)]
    return argv


def worker_app() -> Any:
    """The application of one worker process of ``run --workers N`` (uvicorn imports and calls this)."""
    from sync.server.app import create_app

    args = build_parser().parse_args(json.loads(os.environ[RUN_ARGS]))
    return create_app(open_server(args), threads=args.threads)


def _dispatch(args: argparse.Namespace) -> int:
    server = open_server(args)
    if args.command == "init":
        server.init()
        users = []
        if args.demo:
            for username, full, role, office, nip, position in DEMO_USERS:
                try:
                    code = server.add_user(username, full, role, office, nip, position)
                except ApiError:
                    code = server.enrolment_code(username)
                users.append({"username": username, "role": role, "office": office, "code": code})
        _print(args, {"users": users}, "\n".join(
            ["Loket server siap."] + [f"{u['username']:10} {u['role']:14} {u['office']:18} {u['code']}"
                                      for u in users]))
        return 0
    if args.command == "run":
        return _run(args, server)
    if args.command == "user":
        username = args.username or _username(args.name)
        code = server.add_user(username, args.name, args.role, args.office, args.nip, args.position)
        _print(args, {"username": username, "code": code}, f"{username} {code}")
        return 0
    if args.command == "enrolment-code":
        code = server.enrolment_code(args.user)
        _print(args, {"username": args.user, "code": code}, code)
        return 0
    if args.command == "revoke":
        count = server.revoke(user=args.user, device=args.device, certificate=args.certificate, reason=args.reason,
                              reason_code=args.reason_code, since=args.since)
        _print(args, {"revoked": count, "reason_code": args.reason_code}, f"{count} dicabut ({args.reason_code})")
        return 0 if count else 1
    if args.command == "notify":
        return cli_notify.main(args, server, public_url(args))
    if args.command == "ca":
        assert server.authority is not None
        sys.stdout.write(server.authority.ca.certificate_pem().decode())
        return 0
    sys.stderr.write("not available yet\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
