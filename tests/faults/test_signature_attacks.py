"""Signature attacks: a generated corpus of forged, mutated, replayed, reordered, stale, revoked-key and
wrong-office approvals — every one refused by the server; and tampered letters — every one reported
invalid by ``loket-cli verify``."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import os
import random
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from app.domain.catalog import default_catalog
from app.letters.model import LetterData, LetterOffice, Signer
from app.letters.render import render_letter
from app.signing.approvals import ApprovalEvent, content_hash, sign_event
from app.signing.certificates import SignerIdentity, build_csr, serial_hex, to_pem
from app.signing.pades import sign_pdf
from sync.server.ca import Authority
from sync.server.core import Server
from sync.server.ops import DeviceCtx
from sync.server.storage import make_engine

OFFICE = "35.73.02.1008"
OTHER = "35.73.02.1001"
SEED = 1127
CORPUS = max(1000, int(os.environ.get("LOKET_FAULT_POINTS", "0")))
FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
          "no_kk": "3573021204180003", "alamat": "Jl. Ijen 5", "keperluan": "Kerja"}


class City:
    """An in-process server with its CA, a kelurahan's staff and signer, and another office's signer."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{folder / 'server.db'}")
        self.server = Server.open(engine)
        self.server.init()
        self.server.authority = Authority.ensure(folder / "ca", engine, "http://127.0.0.1:8765")
        self.petugas = self._device("siti", "petugas", OFFICE)
        self.verifikator = self._device("bambang", "verifikator", OFFICE)
        self.lurah, self.key, self.chain = self._signer("lurah", OFFICE)
        self.other, self.other_key, self.other_chain = self._signer("lurahklojen", OTHER)
        self.lease = self.server.lease(self.lurah, "400.12.2.2", 2026, 500)
        self.next_number = self.lease["first"]
        self.counter = 0
        self.last: str | None = None

    def _device(self, username: str, role: str, office: str) -> DeviceCtx:
        code = self.server.add_user(username, username.title(), role, office, "197504171998031003", "Lurah")
        return self.server.authenticate(self.server.enroll(code, f"{username}-pc")["token"])

    def _signer(self, username: str, office: str) -> tuple[DeviceCtx, ec.EllipticCurvePrivateKey, list[Any]]:
        ctx = self._device(username, "penandatangan", office)
        key = ec.generate_private_key(ec.SECP256R1())
        csr = build_csr(key, SignerIdentity(username.title(), "197504171998031003", "Lurah", "Kelurahan"))
        from cryptography.hazmat.primitives import serialization

        answer = self.server.issue_certificate(ctx, csr.public_bytes(serialization.Encoding.PEM).decode())
        from app.signing.certificates import load_certificate

        chain = [load_certificate(answer["certificate_pem"].encode()), self.server.authority.root]  # type: ignore[union-attr]
        return ctx, key, chain

    def verified_case(self) -> dict[str, Any]:
        case_id = str(uuid.uuid4())
        ops = [{"op_id": str(uuid.uuid4()), "kind": "case.create", "case_id": case_id, "base_version": 0,
                "payload": {"case": {"id": case_id, "service": "SKD", "nik": "3573015708900003", "name": "Ani",
                                     "fields": FIELDS, "due_date": "2026-12-01"}}}]
        for doc in ("ktp", "kk", "pengantar_rt"):
            ops.append({"op_id": str(uuid.uuid4()), "kind": "attachment.add", "case_id": case_id,
                        "base_version": None, "payload": {"doc_code": doc, "sha256": "a" * 64, "filename": "x.pdf",
                                                          "size": 10, "mime": "application/pdf"}})
        ops.append({"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": case_id, "base_version": 1,
                    "payload": {"action": "submit", "reason": None}})
        assert all(r["status"] == "applied" for r in self.server.push(self.petugas, ops))  # type: ignore[arg-type]
        verify = {"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": case_id, "base_version": 2,
                  "payload": {"action": "verify", "reason": None}}
        assert self.server.push(self.verifikator, [verify])[0]["status"] == "applied"  # type: ignore[list-item]
        return self.server.case(self.verifikator, case_id)

    def approval(self, case: dict[str, Any], *, key: ec.EllipticCurvePrivateKey | None = None,
                 chain: list[Any] | None = None, version: int | None = None, number: int | None = None,
                 counter: int | None = None, prev: str | None | bool = False,
                 device: str | None = None) -> tuple[ApprovalEvent, dict[str, Any]]:
        """A well-formed approval op for ``case`` (each keyword bends one thing)."""
        key, chain = key or self.key, chain or self.chain
        serial = number if number is not None else self.next_number
        letter_number = f"400.12.2.2/{serial:03d}/{OFFICE}/XI/2026"
        data = LetterData(service=default_catalog().get("SKD"), office=LetterOffice.from_directory(OFFICE),
                          number=letter_number, case_name=case["name"], case_nik=case["nik"], fields=case["fields"],
                          signer=Signer("Lurah", "197504171998031003", "Lurah", "Oro-oro Dowo"),
                          letter_date=dt.date(2026, 11, 27), verify_url=f"http://127.0.0.1/verify/{case['id']}")
        letter = render_letter(data)
        pdf = sign_pdf(letter.pdf, key, chain, box=letter.signature_box, letter_number=letter_number)
        content = {k: case[k] for k in ("id", "service", "office", "nik", "name", "fields")}
        event = ApprovalEvent(case_id=case["id"], case_version=version if version is not None else case["version"],
                              content_hash=content_hash(content), template_version=1, pdf_sha256=letter.sha256,
                              letter_number=letter_number, signer_cert_serial=serial_hex(chain[0]),
                              device_id=device or self.lurah.device_id,
                              device_counter=counter if counter is not None else self.counter + 1,
                              prev_event_hash=self.last if prev is False else prev)  # type: ignore[arg-type]
        signed = sign_event(event, key)
        op = {"op_id": str(uuid.uuid4()), "kind": "approval", "case_id": case["id"], "base_version": case["version"],
              "payload": {**signed.to_dict(), "pdf": base64.b64encode(pdf).decode()}}
        return event, op

    def push(self, ctx: DeviceCtx, op: dict[str, Any]) -> dict[str, Any]:
        return dict(self.server.push(ctx, [op])[0])  # type: ignore[list-item]

    def accepted(self, event: ApprovalEvent) -> None:
        self.counter, self.last = event.device_counter, event.hash
        self.next_number += 1


def _mutations(op: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """The same signature over a changed event (or a changed signature): must never verify."""
    bad = {**op, "op_id": str(uuid.uuid4()), "payload": {**op["payload"], "event": dict(op["payload"]["event"])}}
    event = bad["payload"]["event"]
    field = rnd.choice(["case_version", "content_hash", "pdf_sha256", "letter_number", "device_counter",
                        "prev_event_hash", "template_version", "delegation_id", "signature", "signature-bits"])
    if field == "case_version":
        event["case_version"] += rnd.choice([-1, 1, 7])
    elif field in ("content_hash", "pdf_sha256"):
        event[field] = "".join(rnd.choice("0123456789abcdef") for _ in range(64))
    elif field == "letter_number":
        event["letter_number"] = event["letter_number"].replace("/0", "/9", 1) + "x" * rnd.randint(0, 1)
    elif field == "device_counter":
        event["device_counter"] += rnd.randint(1, 1000)
    elif field == "prev_event_hash":
        event["prev_event_hash"] = "".join(rnd.choice("0123456789abcdef") for _ in range(64))
    elif field == "template_version":
        event["template_version"] += 1
    elif field == "delegation_id":
        event["delegation_id"] = str(uuid.UUID(int=rnd.getrandbits(128)))
    elif field == "signature":
        bad["payload"]["signature"] = base64.b64encode(rnd.randbytes(70)).decode()
    else:
        raw = bytearray(base64.b64decode(op["payload"]["signature"]))
        raw[rnd.randrange(len(raw))] ^= 1 << rnd.randrange(8)
        bad["payload"]["signature"] = base64.b64encode(bytes(raw)).decode()
    return bad


def test_a_thousand_bad_approvals_are_all_refused(tmp_path: Path) -> None:
    rnd = random.Random(SEED)
    city = City(tmp_path / "city")
    cases = [city.verified_case() for _ in range(6)]
    refused: dict[str, int] = {}

    def expect_refused(kind: str, ctx: DeviceCtx, op: dict[str, Any]) -> dict[str, Any]:
        result = city.push(ctx, op)
        assert result["status"] == "rejected", (kind, result)
        refused[kind] = refused.get(kind, 0) + 1
        return result

    # one genuine approval: accepted (the corpus below is built around it)
    event, good = city.approval(cases[0])
    assert city.push(city.lurah, good)["status"] == "applied"
    city.accepted(event)
    target = city.server.case(city.lurah, cases[1]["id"])
    base_event, base_op = city.approval(target)
    stranger = ec.generate_private_key(ec.SECP256R1())

    total = 0
    while total < CORPUS:
        kind = rnd.choice(["forged", "mutated", "mutated", "replayed", "reordered", "stale", "wrong-office"])
        if kind == "forged":  # signed with a key the CA never certified, naming the real certificate
            forged_event = dataclasses.replace(base_event)
            from app.signing.approvals import sign_event as sign

            op = {**base_op, "op_id": str(uuid.uuid4()),
                  "payload": {**sign(forged_event, stranger).to_dict(), "pdf": base_op["payload"]["pdf"]}}
            expect_refused(kind, city.lurah, op)
        elif kind == "mutated":
            expect_refused(kind, city.lurah, _mutations(base_op, rnd))
        elif kind == "replayed":  # the accepted approval again, as a new op
            result = expect_refused(kind, city.lurah, {**good, "op_id": str(uuid.uuid4())})
            assert result["errno"] == 120
        elif kind == "reordered":  # a counter at or below what the server already saw
            _ev, op = city.approval(target, counter=rnd.randint(1, max(1, city.counter)), prev=city.last)
            expect_refused(kind, city.lurah, op)
        elif kind == "stale":  # genuine, but for a version of the case that is not the current one
            ev, op = city.approval(target, version=target["version"] - 1)
            result = expect_refused(kind, city.lurah, op)
            assert result["errno"] == 121
            city.counter, city.last = ev.device_counter, ev.hash  # a stale event still advances the chain
        else:  # another office's Lurah, with a valid certificate, signing this office's case
            _ev, op = city.approval(target, key=city.other_key, chain=city.other_chain, counter=1, prev=None,
                                    device=city.other.device_id)
            assert expect_refused(kind, city.other, op)["errno"] == 105  # a case it may not read: "not found"
        total += 1
    # revoked key: the certificate is revoked, then an otherwise perfect approval arrives
    city.server.revoke(certificate=serial_hex(city.chain[0]), reason="laptop stolen")
    for _ in range(5):
        _ev, op = city.approval(target)
        assert expect_refused("revoked-key", city.lurah, op)["errno"] == 122
    assert city.server.case(city.lurah, target["id"])["status"] == "verified"
    print(f"\nsignature attacks: {sum(refused.values())} refused of {sum(refused.values())} sent: {refused}")
    assert set(refused) == {"forged", "mutated", "replayed", "reordered", "stale", "wrong-office", "revoked-key"}


def _tamper_corpus(pdf: bytes, rnd: random.Random) -> list[tuple[str, bytes]]:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    out: list[tuple[str, bytes]] = []
    for _ in range(20):  # byte flips anywhere in the signed range
        data = bytearray(pdf)
        data[rnd.randrange(len(data) // 2)] ^= 1 << rnd.randrange(8)
        out.append(("byte-flip", bytes(data)))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 40 Tf 120 420 Td (PALSU) Tj ET"))
    contents = page.raw_get("/Contents")
    new_contents = generic.ArrayObject()
    for part in (contents if isinstance(contents, generic.ArrayObject) else [contents]):
        new_contents.append(part)
    new_contents.append(stream)
    page["/Contents"] = new_contents
    writer.update_container(page)
    buf = io.BytesIO()
    writer.write(buf)
    out.append(("incremental-update-changing-content", buf.getvalue()))
    first_eof = pdf.find(b"%%EOF")
    out.append(("signature-stripped", pdf[:first_eof + 5] + b"\n"))
    return out


def test_tampered_letters_are_reported_invalid(tmp_path: Path) -> None:
    from app.services.workspace import Workspace
    from sync.verify import verify_file

    city = City(tmp_path / "city")
    case = city.verified_case()
    _event, op = city.approval(case)
    pdf = base64.b64decode(op["payload"]["pdf"])
    ws = Workspace(tmp_path / "laptop")
    (ws.profile / "ca.pem").write_bytes(to_pem(city.server.authority.root))  # type: ignore[union-attr]
    good = tmp_path / "good.pdf"
    good.write_bytes(pdf)
    assert verify_file(ws, good)["valid"] is True
    counts: dict[str, int] = {}
    for kind, data in _tamper_corpus(pdf, random.Random(SEED)):
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(data)
        result = verify_file(ws, path)
        assert result["valid"] is False, (kind, result)
        counts[kind] = counts.get(kind, 0) + 1
    print(f"\ntampered letters: {sum(counts.values())} reported invalid: {counts}")
