"""The server's operations, independent of HTTP: users, enrolment, auth, push, pull, blobs, revocation.

Stateless: everything lives in the database, so several instances on one PostgreSQL act as one server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.domain import chain
from app.domain.catalog import Catalog, default_catalog
from app.domain.offices import OfficeDirectory, directory
from app.domain.roles import Role
from app.storage.blobs import MAX_ATTACHMENT_BYTES
from sync.protocol import PULL_LIMIT, Errno, Op, OpResult, parse_cursor
from sync.server import auth, feed, visibility, void_numbers
from sync.server import storage as t
from sync.server.approvals import ApprovalHandler
from sync.server.auth import ApiError as ApiError
from sync.server.auth import token_hash as _sha
from sync.server.ca import Authority
from sync.server.histories import HISTORY_COLUMNS, histories
from sync.server.opcheck import declared_offset
from sync.server.ops import DeviceCtx, OpApplier, bump_feed, hold_blob, snapshots
from sync.server.recommendations import RecommendationHandler
from sync.server.steps import load_steps

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_DAYS = 7
ENROL_RETRY_MINUTES = 10
# Failed /enroll attempts allowed per client address and window. Counted in the database, so the limit holds
# across every instance behind the load balancer; successful enrolments are not counted (IT enrolling a
# room of laptops behind one address is not slowed down).
ENROL_FAILURES = 10
ENROL_WINDOW_SECONDS = 600


UPLOAD_TTL = dt.timedelta(hours=24)  # an upload left unfinished this long is dropped
SWEEP_EVERY = dt.timedelta(minutes=1)  # how often an instance looks for such uploads
SEEN_EVERY = dt.timedelta(minutes=1)  # a device's last_seen is kept to this precision


def _stale(when: str | None, age: dt.timedelta) -> bool:
    if not when:
        return True
    try:
        then = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return True
    return clock.now() - (then if then.tzinfo else then.replace(tzinfo=dt.UTC)) >= age


def _iso(when: dt.datetime) -> str:
    return when.isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _since(value: str, now: str) -> str:
    """An admin's "key out of hand since" time: ISO, aware (UTC assumed), not after ``now``."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(Errno.BAD_REQUEST, f"--since is not an ISO time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    text = parsed.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if text > now:
        raise ApiError(Errno.BAD_REQUEST, "--since cannot be in the future")
    return text


def _norm_code(code: str) -> str:
    """``abcd efgh jklm``, ``ABCDEFGHJKLM`` and ``ABCD-EFGH-JKLM`` are one code (stored hashed in the dashed
    form, as release 0.1.0 stored it)."""
    raw = "".join(ch for ch in code.upper() if ch not in " -\t\r\n\u00a0\u2010\u2011\u2012\u2013\u2014")
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw


@dataclass
class Server:
    engine: Engine
    catalog: Catalog
    offices: OfficeDirectory
    authority: Authority | None = None
    blob_limit: int = MAX_ATTACHMENT_BYTES
    _swept: dt.datetime | None = None  # when this instance last dropped expired uploads

    @classmethod
    def open(cls, engine: Engine, authority: Authority | None = None) -> Server:
        return cls(engine, default_catalog(), directory(), authority)

    @property
    def applier(self) -> OpApplier:
        applier = OpApplier(self.catalog, self.offices)
        if self.authority is not None:
            applier.handlers["approval"] = ApprovalHandler(self.authority, self.catalog, self.offices).receive
            applier.handlers["recommendation"] = RecommendationHandler(self.authority, self.catalog, self.offices)
        return applier

    def _authority(self) -> Authority:
        if self.authority is None:
            raise ApiError(Errno.SERVICE_UNAVAILABLE, "this server has no certificate authority")
        return self.authority

    # ---- setup -------------------------------------------------------------------------------------
    def init(self) -> None:
        t.create_schema(self.engine)
        with self.engine.begin() as conn:
            have = {r[0] for r in conn.execute(select(t.offices.c.code))}
            rows = [{"code": o.code, "name": o.name, "level": o.level.value, "parent": o.parent}
                    for o in self.offices if o.code not in have]
            if rows:
                conn.execute(t.offices.insert(), rows)

    def add_user(self, username: str, full_name: str, role: str, office: str, nip: str | None = None,
                 position: str | None = None) -> str:
        """Create a user and return a one-time enrolment code."""
        parsed = Role.parse(role)
        if office not in self.offices:
            raise ApiError(Errno.BAD_REQUEST, f"unknown office {office}")
        with self.engine.begin() as conn:
            try:
                conn.execute(t.users.insert().values(username=username, full_name=full_name, role=parsed.value,
                                                     office=office, nip=nip, position=position, active=True,
                                                     created_at=clock.now_iso()))
            except IntegrityError:
                raise ApiError(Errno.USER_EXISTS, f"user {username} exists") from None
        return self.enrolment_code(username)

    def enrolment_code(self, username: str) -> str:
        code = new_code()
        expires = (clock.now() + dt.timedelta(days=CODE_DAYS)).isoformat()
        with self.engine.begin() as conn:
            if conn.execute(select(t.users.c.username).where(t.users.c.username == username)).first() is None:
                raise ApiError(Errno.NOT_FOUND, f"no user {username}")
            conn.execute(t.enrolment_codes.insert().values(code_hash=_sha(_norm_code(code)), username=username,
                                                           expires_at=expires))
        return code

    # ---- enrolment and auth ------------------------------------------------------------------------
    def enroll(self, code: str, device_name: str, address: str | None = None) -> dict[str, Any]:
        """:meth:`enroll_code`, refused with 429 once ``address`` has failed too often in this window."""
        if address is None:
            return self.enroll_code(code, device_name)
        address = address[:64]
        window = int(clock.now().timestamp()) // ENROL_WINDOW_SECONDS * ENROL_WINDOW_SECONDS
        with self.engine.connect() as conn:
            failures = conn.execute(select(t.enrol_attempts.c.failures).where(
                t.enrol_attempts.c.address == address, t.enrol_attempts.c.window_start == window)).scalar()
        if failures is not None and failures >= ENROL_FAILURES:
            wait = max(1, window + ENROL_WINDOW_SECONDS - int(clock.now().timestamp()))
            raise ApiError(Errno.TOO_MANY_REQUESTS, "too many failed enrolment attempts from this address",
                           {"retry_after": wait})
        try:
            return self.enroll_code(code, device_name)
        except ApiError as err:
            if err.errno == Errno.ENROLMENT_CODE_INVALID:
                self._enrol_failed(address, window)
            raise

    def _enrol_failed(self, address: str, window: int) -> None:
        key = (t.enrol_attempts.c.address == address) & (t.enrol_attempts.c.window_start == window)
        with self.engine.begin() as conn:
            conn.execute(t.enrol_attempts.delete().where(t.enrol_attempts.c.window_start < window))
            for _ in range(3):
                if conn.execute(update(t.enrol_attempts).where(key)
                                .values(failures=t.enrol_attempts.c.failures + 1)).rowcount:
                    return
                try:
                    with conn.begin_nested():
                        conn.execute(t.enrol_attempts.insert().values(address=address, window_start=window,
                                                                      failures=1))
                    return
                except IntegrityError:
                    continue

    def enroll_code(self, code: str, device_name: str) -> dict[str, Any]:
        """Trade a one-time code for a device and its token.

        If the answer was lost on the way (the laptop retries the same code), the code is accepted again for
        ``ENROL_RETRY_MINUTES`` as long as the device it made has never been used: that device gets a fresh
        token (the old one, never delivered, stops working)."""
        now = clock.now_iso()
        with self.engine.begin() as conn:
            row = conn.execute(select(t.enrolment_codes).where(
                t.enrolment_codes.c.code_hash == _sha(_norm_code(code)))).first()
            if row is None or row.expires_at < clock.now().isoformat():
                raise ApiError(Errno.ENROLMENT_CODE_INVALID, "enrolment code invalid, used or expired")
            user = conn.execute(select(t.users).where(t.users.c.username == row.username)).one()
            if not user.active:
                raise ApiError(Errno.ENROLMENT_CODE_INVALID, "user is not active")
            token = secrets.token_urlsafe(32)
            if row.used_at is not None:
                device_id = self._retry_device(conn, row, token)
            else:
                device_id = str(uuid.uuid4())
                done = conn.execute(update(t.enrolment_codes).where(
                    t.enrolment_codes.c.code_hash == row.code_hash, t.enrolment_codes.c.used_at.is_(None))
                    .values(used_at=now, device_id=device_id))
                if done.rowcount != 1:  # another request used it a moment ago
                    raise ApiError(Errno.ENROLMENT_CODE_INVALID, "enrolment code already used")
                conn.execute(t.devices.insert().values(id=device_id, username=user.username,
                                                       token_hash=_sha(token), name=device_name[:120],
                                                       created_at=now))
        return {"device_id": device_id, "token": token,
                "user": {"username": user.username, "full_name": user.full_name, "role": user.role,
                         "office": user.office, "nip": user.nip, "position": user.position}}

    def _retry_device(self, conn: Any, code_row: Any, token: str) -> str:
        used = dt.datetime.fromisoformat(code_row.used_at.replace("Z", "+00:00"))
        device = conn.execute(select(t.devices).where(t.devices.c.id == code_row.device_id)).first()
        fresh = clock.now() - used <= dt.timedelta(minutes=ENROL_RETRY_MINUTES)
        if device is None or not fresh or device.last_seen is not None or device.revoked_at is not None:
            raise ApiError(Errno.ENROLMENT_CODE_INVALID, "enrolment code invalid, used or expired")
        conn.execute(update(t.devices).where(t.devices.c.id == device.id).values(token_hash=_sha(token)))
        return str(device.id)

    def authenticate(self, token: str | None) -> DeviceCtx:
        """The device ``token`` belongs to (see sync.server.auth), on a connection of its own."""
        if not token:  # refused before a connection is taken
            raise ApiError(Errno.UNAUTHENTICATED, "missing token")
        with self.engine.connect() as conn:
            return auth.authenticate(conn, token)

    def revoke(self, *, user: str | None = None, device: str | None = None, certificate: str | None = None,
               reason: str, reason_code: str = "lainnya", since: str | None = None) -> int:
        """Revoke a user (all devices and certificates), a device (and its certificates) or one certificate.

        ``reason_code`` is one of :data:`app.signing.certificates.REVOCATION_REASONS` (the CRL entry's reason);
        ``since`` (ISO time, not in the future) backdates a lost key's invalidity. Letters whose document
        timestamp precedes the revocation (and ``since``) stay valid; approvals received from now on are
        refused."""
        from app.signing.certificates import REVOCATION_REASONS

        if reason_code not in REVOCATION_REASONS:
            raise ApiError(Errno.BAD_REQUEST, f"unknown reason code {reason_code!r}; use one of "
                           + ", ".join(REVOCATION_REASONS))
        # The CRL states whole seconds: round up, so that a letter timestamped in the same second, just before
        # this revocation, keeps verifying (no approval is accepted from the moment this commits).
        moment = clock.now()
        if moment.microsecond:
            moment = moment.replace(microsecond=0) + dt.timedelta(seconds=1)
        now = moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
        since = _since(since, clock.now_iso()) if since else None
        marks = {"revoked_at": now, "revoke_reason": reason[:500], "revoke_reason_code": reason_code}
        with self.engine.begin() as conn:
            stmt = update(t.devices).where(t.devices.c.revoked_at.is_(None))
            certs = update(t.certificates).where(t.certificates.c.revoked_at.is_(None))
            if certificate:
                serial = certificate.lower().removeprefix("0x").lstrip("0") or "0"
                return int(conn.execute(certs.where(t.certificates.c.serial == serial)
                                        .values(invalid_since=since, **marks)).rowcount)
            if device:
                stmt = stmt.where(t.devices.c.id == device)
                certs = certs.where(t.certificates.c.device_id == device)
            elif user:
                stmt = stmt.where(t.devices.c.username == user)
                certs = certs.where(t.certificates.c.username == user)
                conn.execute(update(t.users).where(t.users.c.username == user).values(active=False))
            else:
                raise ApiError(Errno.BAD_REQUEST, "revoke needs a user, a device or a certificate")
            conn.execute(certs.values(invalid_since=since, **marks))
            return int(conn.execute(stmt.values(**marks)).rowcount)

    # ---- signing -----------------------------------------------------------------------------------
    def issue_certificate(self, ctx: DeviceCtx, csr_pem: str) -> dict[str, Any]:
        """Certify a signer's device key from its CSR, naming the signer as the server's records do."""
        from app.signing.certificates import CsrRejected, SignerIdentity, load_csr, serial_hex, to_pem

        if ctx.role is not Role.PENANDATANGAN:
            raise ApiError(Errno.FORBIDDEN, "only a penandatangan gets a signing certificate")
        authority = self._authority()
        with self.engine.connect() as conn:
            user = conn.execute(select(t.users).where(t.users.c.username == ctx.username)).one()
        office = self.offices.get(user.office)
        identity = SignerIdentity(user.full_name, user.nip or "", user.position or "",
                                  office.display_name if office else user.office)
        try:
            cert = authority.ca.issue_signing_certificate(load_csr(csr_pem.encode()), subject=identity.subject())
        except (CsrRejected, ValueError) as err:
            raise ApiError(Errno.VALIDATION, str(err)) from None
        with self.engine.begin() as conn:
            conn.execute(t.certificates.insert().values(
                serial=serial_hex(cert), username=ctx.username, device_id=ctx.device_id,
                pem=to_pem(cert).decode(), not_after=cert.not_valid_after_utc.isoformat(),
                created_at=clock.now_iso()))
        return {"certificate_pem": to_pem(cert).decode(), "chain_pem": [to_pem(authority.root).decode()],
                "serial": serial_hex(cert)}

    def lease(self, ctx: DeviceCtx, classification: str, year: int, count: int,
              office: str | None = None) -> dict[str, Any]:
        """Reserve ``count`` letter numbers of ``office`` (the signer's own, or one delegated to them) for
        this device, under a row lock on the office's counter."""
        if classification == "REG":  # registration numbers: the petugas' device, for their own office
            if ctx.role is not Role.PETUGAS or (office or ctx.office) != ctx.office:
                raise ApiError(Errno.FORBIDDEN, "only a petugas leases registration numbers, for their office")
        elif ctx.role is not Role.PENANDATANGAN:
            raise ApiError(Errno.FORBIDDEN, "only a penandatangan leases letter numbers")
        office = office or ctx.office
        if office != ctx.office and not any(d["office"] == office and d["delegate"] == ctx.username
                                            and not d["revoked"] and d["valid_until"] >= clock.now_iso()
                                            for d in self.delegations_for(ctx)):
            raise ApiError(Errno.FORBIDDEN, "no delegation for that office")
        ctx = DeviceCtx(ctx.device_id, ctx.username, ctx.full_name, ctx.role, office)
        count = max(1, min(count, 500))
        key = (t.number_counters.c.office == ctx.office) & (t.number_counters.c.classification == classification) \
            & (t.number_counters.c.year == year)
        with self.engine.begin() as conn:
            for _ in range(3):
                top = conn.execute(update(t.number_counters).where(key)
                                   .values(next=t.number_counters.c.next + count)
                                   .returning(t.number_counters.c.next)).first()
                if top is not None:
                    break
                try:
                    with conn.begin_nested():
                        conn.execute(t.number_counters.insert().values(office=ctx.office, classification=classification,
                                                                       year=year, next=1))
                except IntegrityError:
                    pass
            else:
                raise ApiError(Errno.SERVICE_UNAVAILABLE, "number counter busy")
            last = int(top[0]) - 1
            first = last - count + 1
            lease_id = str(uuid.uuid4())
            conn.execute(t.leases.insert().values(id=lease_id, office=ctx.office, classification=classification,
                                                  year=year, device_id=ctx.device_id, first=first, last=last,
                                                  created_at=clock.now_iso()))
        return {"id": lease_id, "office": ctx.office, "classification": classification, "year": year,
                "first": first, "last": last}

    # ---- delegations -------------------------------------------------------------------------------
    def grant_delegation(self, ctx: DeviceCtx, grant_data: dict[str, Any], signature: str) -> dict[str, Any]:
        from app.signing.certificates import load_certificate
        from app.signing.delegations import DelegationGrant, InvalidDelegation, verify_grant

        try:
            grant = DelegationGrant.from_dict(grant_data)
        except InvalidDelegation as err:
            raise ApiError(Errno.VALIDATION, err.message) from None
        if ctx.role is not Role.PENANDATANGAN or grant.grantor != ctx.username or grant.office != ctx.office:
            raise ApiError(Errno.FORBIDDEN, "only the head of the office may delegate its signature")
        with self.engine.begin() as conn:
            cert = conn.execute(select(t.certificates).where(
                t.certificates.c.serial == grant.grantor_cert_serial, t.certificates.c.username == ctx.username,
                t.certificates.c.revoked_at.is_(None))).first()
            if cert is None:
                raise ApiError(Errno.CERTIFICATE_REVOKED, "the grantor's certificate is unknown or revoked")
            try:
                verify_grant(grant, signature, load_certificate(cert.pem.encode()))
            except InvalidDelegation as err:
                raise ApiError(Errno.VALIDATION, err.message) from None
            delegate = conn.execute(select(t.users).where(t.users.c.username == grant.delegate)).first()
            if delegate is None or delegate.role != Role.PENANDATANGAN.value or not delegate.active:
                raise ApiError(Errno.VALIDATION, "the delegate must be an active penandatangan")
            if conn.execute(select(t.delegations.c.id).where(t.delegations.c.id == grant.id)).first() is None:
                conn.execute(t.delegations.insert().values(
                    id=grant.id, grantor=grant.grantor, delegate=grant.delegate, office=grant.office, kind=grant.kind,
                    valid_from=grant.valid_from, valid_until=grant.valid_until,
                    grantor_cert_serial=grant.grantor_cert_serial, signature=signature, created_at=clock.now_iso()))
        return {"id": grant.id}

    def revoke_delegation(self, ctx: DeviceCtx, delegation_id: str) -> dict[str, Any]:
        with self.engine.begin() as conn:
            done = conn.execute(update(t.delegations).where(
                t.delegations.c.id == delegation_id, t.delegations.c.grantor == ctx.username,
                t.delegations.c.revoked_at.is_(None)).values(revoked_at=clock.now_iso()))
        if done.rowcount != 1:
            raise ApiError(Errno.NOT_FOUND, "no such delegation of yours")
        return {"id": delegation_id, "revoked": True}

    def delegations_for(self, ctx: DeviceCtx, conn: Connection | None = None) -> list[dict[str, Any]]:
        if conn is None:
            with self.engine.connect() as own:
                return self.delegations_for(ctx, own)
        rows = conn.execute(
            select(t.delegations, t.users.c.full_name, t.users.c.position)
            .join(t.users, t.users.c.username == t.delegations.c.grantor)
            .where(or_(t.delegations.c.delegate == ctx.username, t.delegations.c.grantor == ctx.username)))
        return [{"id": r.id, "grantor": r.grantor, "grantor_name": r.full_name, "grantor_position": r.position,
                 "delegate": r.delegate, "office": r.office, "kind": r.kind, "valid_from": r.valid_from,
                 "valid_until": r.valid_until, "revoked": r.revoked_at is not None} for r in rows]

    def ca_material(self) -> dict[str, str]:
        from cryptography.hazmat.primitives import serialization

        authority = self._authority()
        crl = authority.crl()
        return {"ca_pem": authority.ca.certificate_pem().decode(),
                "crl_pem": crl.public_bytes(serialization.Encoding.PEM).decode()}

    def chain_head(self, ctx: DeviceCtx) -> dict[str, Any]:
        """This device's approval chain as the server holds it: a laptop restored from an old backup raises its
        counter above every one the server has seen before it signs again."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.device_chains).where(t.device_chains.c.device_id == ctx.device_id)).first()
        return {"counter": int(row.counter) if row else 0, "last_hash": row.last_hash if row else None}

    def letter(self, case_id: str, number: str | None = None) -> dict[str, Any] | None:
        """What the public verification page shows: only what the letter itself shows. With ``number`` (the
        letter number the QR code carries), a number other than the case's valid letter is explained."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.approvals, t.cases.c.status, t.cases.c.service, t.cases.c.office,
                                      t.users.c.full_name, t.users.c.position, t.certificates.c.revoked_at,
                                      t.certificates.c.revoke_reason_code, t.certificates.c.invalid_since)
                               .join(t.cases, t.cases.c.id == t.approvals.c.case_id)
                               .join(t.users, t.users.c.username == t.approvals.c.signer)
                               .join(t.certificates, t.certificates.c.serial == t.approvals.c.cert_serial)
                               .where(t.approvals.c.case_id == case_id)
                               .order_by(t.approvals.c.id.desc()).limit(1)).first()
        if number is None and row is None:  # a QR code that names only the case (letters printed before numbers)
            with self.engine.connect() as conn:
                number = void_numbers.latest(conn, case_id)
        if number is not None and (row is None or row.letter_number != number):
            return self.other_number(case_id, number, row.letter_number if row else None)
        if row is None:
            return None
        service = self.catalog.services.get(row.service)
        # the office that signed the letter (a Camat's for a kelurahan's proposal); earlier steps are listed
        where = service.signer_office(row.office, self.offices) if service else row.office
        office = self.offices.get(where)
        return {"letter_number": row.letter_number, "service": service.names["id"] if service else row.service,
                "office": office.display_name if office else where, "signer": row.full_name,
                "position": row.position, "signed_at": row.accepted_at, "status": row.status,
                "certificate_revoked_at": row.revoked_at, "sha256": row.letter_sha256,
                "earlier_steps": self._letter_steps(row.case_id, service),
                **(self._revocation(row) if row.revoked_at else {})}

    def _letter_steps(self, case_id: str, service: Any) -> list[dict[str, Any]]:
        """The earlier signed steps the letter names: who, as what, when (nothing about the citizen)."""
        if service is None:
            return []
        with self.engine.connect() as conn:
            recorded = load_steps(conn, [case_id])[case_id]
        return [{"name": s["name"], "position": s["position"], "at": s["at"]}
                for s in chain.letter_steps(service, recorded)]


    def _revocation(self, row: Any) -> dict[str, Any]:
        """For a revoked signer: the reason code and whether the letter's document timestamp precedes the
        revocation (and a lost key's invalidity date) — the letter's own proof, read from the stored file."""
        from app.signing.pades import document_timestamp_time
        from app.signing.revocation import parse_time

        with self.engine.connect() as conn:
            blob = conn.execute(select(t.blobs.c.data).where(t.blobs.c.sha256 == row.letter_sha256)).first()
        stamped = document_timestamp_time(bytes(blob.data)) if blob else None
        cutoffs = [c for c in (parse_time(row.revoked_at), parse_time(row.invalid_since)) if c is not None]
        return {"revocation_reason": row.revoke_reason_code or "lainnya", "invalid_since": row.invalid_since,
                "timestamped_at": stamped.isoformat() if stamped else None,
                "signed_before_revocation": bool(stamped and cutoffs and stamped < min(cutoffs))}

    def other_number(self, case_id: str, number: str, valid: str | None) -> dict[str, Any]:
        """A printed number that is not the case's valid letter: void (with why and where to ask), or not
        received yet (signed offline, the laptop has not synced)."""
        with self.engine.connect() as conn:
            void = void_numbers.lookup(conn, case_id, number) or void_numbers.unsent_of_revoked(conn, number)
            case = conn.execute(select(t.cases.c.office, t.cases.c.signer_office).where(t.cases.c.id == case_id)
                                ).first()
        office = self.offices.get(case.signer_office or case.office) if case else None
        where = office.display_name if office else None
        if void is None:
            return {"pending": number, "office": where}
        return {"void": void, "letter_number": number, "office": where, "valid_number": valid}

    # ---- sync --------------------------------------------------------------------------------------
    def push(self, who: DeviceCtx | str | None, ops: list[Op], device_clock: str | None = None) -> list[OpResult]:
        """Apply a batch. ``who``: the device, or its token (checked on the push's own connection);
        ``device_clock``: the device's clock when it sent it (see sync.server.opcheck)."""
        offset = declared_offset(device_clock, clock.now())
        with self.engine.connect() as conn:
            ctx = who if isinstance(who, DeviceCtx) else auth.authenticate(conn, who)
            results, touched = self.applier.apply_batch(conn, ctx, ops, offset)
            if _stale(ctx.last_seen, SEEN_EVERY):  # a device's row is not rewritten on every push
                conn.execute(update(t.devices).where(t.devices.c.id == ctx.device_id)
                             .values(last_seen=clock.now_iso()))
            bump_feed(conn, touched)  # last (on SQLite the feed counter's row is then locked until commit)
            conn.commit()
        return results

    def changes(self, who: DeviceCtx | str | None, since: str | int, limit: int = PULL_LIMIT, *,
                light: bool = False, history: bool = False) -> dict[str, Any]:
        """A page of the feed after cursor ``since`` (see sync.server.feed; a malformed cursor: 400) for ``who``:
        the device, or its token (checked on the page's own connection). ``history``: only each case's events
        and documents, marked ``"history": true`` (sync.server.histories)."""
        limit = max(1, min(limit, 5000))
        try:
            after = parse_cursor(str(since))  # an int: a position before the feed recorded transactions
        except ValueError:
            raise ApiError(Errno.BAD_REQUEST, "since is not a feed cursor") from None
        with self.engine.connect() as conn:
            ctx = who if isinstance(who, DeviceCtx) else auth.authenticate(conn, who)
            rows = feed.page(conn, after, visibility.readable(ctx), limit, HISTORY_COLUMNS if history else ())
            changes = histories(conn, rows) if history else snapshots(conn, rows, light=light)
            delegations = self.delegations_for(ctx, conn)
        return {"changes": changes, "cursor": feed.cursor_after(rows, after), "more": len(rows) == limit,
                "delegations": delegations, **({"history": True} if history else {})}

    def case(self, ctx: DeviceCtx, case_id: str) -> dict[str, Any]:
        """One case, if this device may read it; an unknown and an unreadable case get the same 404."""
        with self.engine.connect() as conn:
            snapshot = visibility.snapshot_for(conn, ctx, case_id)
        if snapshot is None:
            raise ApiError(Errno.NOT_FOUND, visibility.NOT_FOUND)
        return snapshot

    # ---- blobs -------------------------------------------------------------------------------------
    # An upload is kept per device as one row per chunk (``blob_parts``): a chunk costs one INSERT, never a
    # rewrite of what came before. The final chunk assembles the parts once, checks the hash and records the
    # device as holding the blob. Parts older than UPLOAD_TTL are dropped. A device that has not shown it
    # holds a blob (uploaded it, or may read it through a case) is told nothing about it: not its size, not
    # that it exists — it uploads the bytes like anyone else.
    def blob_status(self, ctx: DeviceCtx, sha256: str) -> tuple[int, bool]:
        with self.engine.connect() as conn:
            if visibility.may_read_blob(conn, ctx, sha256):
                row = conn.execute(select(t.blobs.c.size).where(t.blobs.c.sha256 == sha256,
                                                                t.blobs.c.complete.is_(True))).first()
                if row is not None:
                    return int(row.size), True
            return self._received(conn, ctx, sha256), False

    def _received(self, conn: Connection, ctx: DeviceCtx, sha256: str) -> int:
        return int(conn.execute(select(func.coalesce(func.sum(t.blob_parts.c.size), 0)).where(
            t.blob_parts.c.sha256 == sha256, t.blob_parts.c.device_id == ctx.device_id)).scalar_one())

    def blob_put(self, ctx: DeviceCtx, sha256: str, offset: int, chunk: bytes, final: bool) -> tuple[int, bool]:
        """Append ``chunk`` at ``offset`` of this device's upload; with ``final`` the whole blob must hash to
        ``sha256``. Resending from an earlier offset drops what came after it."""
        parts = t.blob_parts
        mine = (parts.c.sha256 == sha256) & (parts.c.device_id == ctx.device_id)
        with self.engine.begin() as conn:
            self._sweep(conn)
            if self._holds(conn, ctx, sha256):
                size = conn.execute(select(t.blobs.c.size).where(t.blobs.c.sha256 == sha256)).scalar_one()
                return int(size), True
            if offset == 0 and final:  # the whole document in one request (a scan, a photo): no parts
                if len(chunk) > self.blob_limit:
                    raise ApiError(Errno.TOO_LARGE, "the document is larger than the limit",
                                   {"limit": self.blob_limit})
                conn.execute(parts.delete().where(mine))  # an earlier upload of it starts over
                matches = hashlib.sha256(chunk).hexdigest() == sha256
                if matches:
                    self._store(conn, ctx, sha256, [chunk])
            else:
                appended = self._append(conn, ctx, sha256, offset, chunk, final)
                if appended is None:
                    return offset + len(chunk), False
                matches = appended
        if not matches:
            raise ApiError(Errno.BLOB_MISMATCH, "content does not match its sha256")
        return offset + len(chunk), True

    def _sweep(self, conn: Connection) -> None:
        """Drop uploads left unfinished for UPLOAD_TTL (looked for at most every SWEEP_EVERY per instance)."""
        now = clock.now()
        if self._swept is not None and now - self._swept < SWEEP_EVERY:
            return
        self._swept = now
        conn.execute(t.blob_parts.delete().where(t.blob_parts.c.created_at < _iso(now - UPLOAD_TTL)))

    def _append(self, conn: Connection, ctx: DeviceCtx, sha256: str, offset: int, chunk: bytes,
                final: bool) -> bool | None:
        """One chunk of an upload in parts; for the final one, whether the whole matches (None: not final)."""
        now = clock.now_iso()
        parts = t.blob_parts
        mine = (parts.c.sha256 == sha256) & (parts.c.device_id == ctx.device_id)
        received = self._received(conn, ctx, sha256)
        if offset > received:
            raise ApiError(Errno.BLOB_OFFSET, "offset beyond what was received", {"received": received})
        if offset + len(chunk) > self.blob_limit:
            raise ApiError(Errno.TOO_LARGE, "the document is larger than the limit",
                           {"limit": self.blob_limit})
        if offset < received:
            self._truncate(conn, ctx, sha256, offset)
        if chunk:
            conn.execute(parts.insert().values(sha256=sha256, device_id=ctx.device_id, offset=offset,
                                               size=len(chunk), data=chunk, created_at=now))
        if not final:
            return None
        digest = hashlib.sha256()
        pieces = []
        for part in conn.execute(select(parts.c.data).where(mine).order_by(parts.c.offset)):
            digest.update(part.data)
            pieces.append(bytes(part.data))
        conn.execute(parts.delete().where(mine))  # a mismatch also drops them: the upload starts over
        matches = digest.hexdigest() == sha256
        if matches:
            self._store(conn, ctx, sha256, pieces)
        return matches

    def _store(self, conn: Connection, ctx: DeviceCtx, sha256: str, pieces: list[bytes]) -> None:
        data = b"".join(pieces)
        stored = conn.execute(select(t.blobs.c.complete).where(t.blobs.c.sha256 == sha256)).first()
        if stored is None:
            conn.execute(t.blobs.insert().values(sha256=sha256, size=len(data), complete=True, data=data,
                                                 created_at=clock.now_iso()))
        elif not stored.complete:
            conn.execute(update(t.blobs).where(t.blobs.c.sha256 == sha256).values(
                size=len(data), complete=True, data=data))
        hold_blob(conn, ctx.device_id, sha256)

    def _holds(self, conn: Connection, ctx: DeviceCtx, sha256: str) -> bool:
        complete = conn.execute(select(t.blobs.c.sha256).where(t.blobs.c.sha256 == sha256,
                                                               t.blobs.c.complete.is_(True))).first()
        return complete is not None and visibility.may_read_blob(conn, ctx, sha256)

    def _truncate(self, conn: Connection, ctx: DeviceCtx, sha256: str, offset: int) -> None:
        parts = t.blob_parts
        mine = (parts.c.sha256 == sha256) & (parts.c.device_id == ctx.device_id)
        conn.execute(parts.delete().where(mine, parts.c.offset >= offset))
        last = conn.execute(select(parts).where(mine).order_by(parts.c.offset.desc()).limit(1)).first()
        if last is not None and last.offset + last.size > offset:  # the one chunk that straddles ``offset``
            keep = bytes(last.data)[:offset - last.offset]
            conn.execute(update(parts).where(mine, parts.c.offset == last.offset).values(data=keep, size=len(keep)))

    def blob_get(self, ctx: DeviceCtx, sha256: str) -> bytes | None:
        """A blob this device may read (see sync.server.visibility); None for unknown and unreadable alike."""
        with self.engine.connect() as conn:
            if not visibility.may_read_blob(conn, ctx, sha256):
                return None
            row = conn.execute(select(t.blobs.c.data).where(t.blobs.c.sha256 == sha256,
                                                            t.blobs.c.complete.is_(True))).first()
        return bytes(row.data) if row else None

    def stats(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {"cases": int(conn.execute(select(func.count()).select_from(t.cases)).scalar_one()),
                    "devices": int(conn.execute(select(func.count()).select_from(t.devices)).scalar_one())}
