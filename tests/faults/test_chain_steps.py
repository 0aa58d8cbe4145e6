"""The server's side of a three-step chain (USULMUS: verified, endorsed by the Lurah, signed by the Camat):
every signing step out of order, by the wrong office or smuggled in as a plain transition is refused; the
genuine ones move the case from the kelurahan's queue to the kecamatan's and onto the letter."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from app.domain.catalog import default_catalog
from app.letters.model import Endorsement, LetterData, LetterOffice, Signer
from app.letters.render import render_letter
from app.signing.approvals import ApprovalEvent, RecommendationEvent, content_hash, sign_event, sign_recommendation
from app.signing.certificates import serial_hex
from app.signing.pades import sign_pdf
from faults.test_signature_attacks import OFFICE, City
from sync.server.ops import DeviceCtx

KECAMATAN = "35.73.02"
FIELDS = {"tahun_anggaran": "2027", "bidang": "infrastruktur", "program": "Drainase", "kegiatan": "Saluran",
          "lokasi": "RT 02/RW 05", "volume": "120", "satuan": "m", "estimasi_biaya": "150000000",
          "prioritas": "1", "penanggung_jawab": "Slamet Riyadi"}


class Chain(City):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.camat, self.camat_key, self.camat_chain = self._signer("camat", KECAMATAN)
        self.camat_lease = self.server.lease(self.camat, "900.1.1.1", 2026, 50)
        self.chains: dict[str, tuple[int, str | None]] = {}  # device → (counter, last hash)

    def usulmus(self) -> dict[str, Any]:
        case_id = str(uuid.uuid4())
        ops: list[dict[str, Any]] = [{"op_id": str(uuid.uuid4()), "kind": "case.create", "case_id": case_id,
                                      "base_version": 0, "payload": {"case": {
                                          "id": case_id, "service": "USULMUS", "nik": None, "name": "RW 05",
                                          "fields": FIELDS, "due_date": "2026-12-21"}}}]
        for doc in ("berita_acara", "rab", "foto_lokasi"):
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

    def _link(self, ctx: DeviceCtx) -> tuple[int, str | None]:
        counter, last = self.chains.get(ctx.device_id, (0, None))
        return counter + 1, last

    def recommend(self, ctx: DeviceCtx, key: Any, chain: list[Any], case: dict[str, Any], step: int = 2,
                  office: str = OFFICE) -> dict[str, Any]:
        counter, prev = self._link(ctx)
        content = {k: case[k] for k in ("id", "service", "office", "nik", "name", "fields")}
        event = RecommendationEvent(case_id=case["id"], case_version=case["version"],
                                    content_hash=content_hash(content), step=step, office=office,
                                    signer_cert_serial=serial_hex(chain[0]), device_id=ctx.device_id,
                                    device_counter=counter, prev_event_hash=prev)
        op = {"op_id": str(uuid.uuid4()), "kind": "recommendation", "case_id": case["id"],
              "base_version": case["version"],
              "payload": {**sign_recommendation(event, key).to_dict(), "at": "2026-12-01T03:00:00+00:00"}}
        result = dict(self.server.push(ctx, [op])[0])  # type: ignore[arg-type]
        if result["status"] == "applied" or result.get("errno") in (121, 124):
            self.chains[ctx.device_id] = (counter, event.hash)
        return result

    def sign_letter(self, case: dict[str, Any], serial: int) -> dict[str, Any]:
        counter, prev = self._link(self.camat)
        number = f"900.1.1.1/{serial:03d}/{KECAMATAN}/2026"
        data = LetterData(service=default_catalog().get("USULMUS"), office=LetterOffice.from_directory(KECAMATAN),
                          number=number, case_name=case["name"], case_nik=None, fields=case["fields"],
                          signer=Signer("Camat", "198001012000121001", "Camat", "Klojen"),
                          letter_date=dt.date(2026, 12, 2), verify_url=f"http://127.0.0.1/verify/{case['id']}",
                          earlier=(Endorsement("Lurah", "Lurah Oro-oro Dowo", dt.date(2026, 12, 1)),))
        letter = render_letter(data)
        pdf = sign_pdf(letter.pdf, self.camat_key, self.camat_chain, box=letter.signature_box, letter_number=number)
        content = {k: case[k] for k in ("id", "service", "office", "nik", "name", "fields")}
        event = ApprovalEvent(case_id=case["id"], case_version=case["version"], content_hash=content_hash(content),
                              template_version=1, pdf_sha256=letter.sha256, letter_number=number,
                              signer_cert_serial=serial_hex(self.camat_chain[0]), device_id=self.camat.device_id,
                              device_counter=counter, prev_event_hash=prev)
        op = {"op_id": str(uuid.uuid4()), "kind": "approval", "case_id": case["id"], "base_version": case["version"],
              "payload": {**sign_event(event, self.camat_key).to_dict(), "pdf": base64.b64encode(pdf).decode()}}
        result = dict(self.server.push(self.camat, [op])[0])  # type: ignore[arg-type]
        if result["status"] == "applied" or result.get("errno") in (121, 124):
            self.chains[self.camat.device_id] = (counter, event.hash)
        return result


def _feed(city: Chain, ctx: DeviceCtx, case_id: str) -> dict[str, Any] | None:
    return next((c for c in city.server.changes(ctx, 0)["changes"] if c["id"] == case_id), None)


def test_steps_out_of_order_or_office_are_refused_and_the_genuine_ones_move_the_case(tmp_path: Path) -> None:
    city = Chain(tmp_path / "city")
    case = city.usulmus()
    assert case["next_office"] == OFFICE and case["steps"] == []
    first = city.camat_lease["first"]

    # the Camat before the Lurah: neither his letter nor a "recommendation" for the last step is taken
    early = city.sign_letter(case, first)
    assert early["status"] == "rejected" and early["errno"] == 124, early
    assert city.recommend(city.camat, city.camat_key, city.camat_chain, case, step=3, office=KECAMATAN)["errno"] == 124
    # another kelurahan's Lurah cannot take this kelurahan's step, nor can it be smuggled in as a transition
    # (the case is not his to read: refused as an unknown case would be, errno 105, with nothing about it)
    assert city.recommend(city.other, city.other_key, city.other_chain, case)["errno"] == 105
    smuggled = {"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": case["id"],
                "base_version": case["version"], "payload": {"action": "recommend", "reason": None}}
    assert city.server.push(city.lurah, [smuggled])[0]["status"] == "rejected"  # type: ignore[arg-type]

    endorsed = city.recommend(city.lurah, city.key, city.chain, case)
    assert endorsed["status"] == "applied", endorsed
    case = city.server.case(city.lurah, case["id"])
    assert case["status"] == "verified" and case["next_office"] == KECAMATAN
    [step] = case["steps"]
    assert step["step"] == 2 and step["position"] == "Lurah" and step["at"] == "2026-12-01T03:00:00+00:00"
    # the Lurah's step is taken; the same step again is refused; the Camat now sees the case waiting for him
    assert city.recommend(city.lurah, city.key, city.chain, case)["errno"] == 124
    seen = _feed(city, city.camat, case["id"])
    assert seen is not None and seen["next_office"] == KECAMATAN

    signed = city.sign_letter(case, first + 1)
    assert signed["status"] == "applied", signed
    info = city.server.letter(case["id"])
    assert info is not None and [s["name"] for s in info["earlier_steps"]] == ["Lurah"]
    assert "Slamet" not in str(info)
