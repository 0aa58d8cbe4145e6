"""A signer revoked while his signing steps wait on a laptop: the laptop answers them as the server would.

Found by the signing simulation: the Sekretaris Kelurahan's recommendation (the Lurah-level step of a USULMUS
chain, signed offline) was answered 'change not accepted' (errno 102) instead of as a refused signing step
(errno 122, back in the signing queue), so it read as if he had edited something.
"""

from __future__ import annotations

from sync import revoked
from sync.errors import RevokedError
from sync.protocol import Errno


def test_waiting_signing_steps_of_a_revoked_signer_are_refused_as_revoked_certificates() -> None:
    err = RevokedError()
    err.details = {"revoked_at": "2026-12-02T01:44:35Z", "reason_code": "mutasi"}
    ops = [{"op_id": "a", "kind": "approval", "case_id": "c1", "base_version": 3,
            "payload": {"event": {"letter_number": "400.12.2.2/004/35.73.02.1008/XII/2026"}}},
           {"op_id": "b", "kind": "recommendation", "case_id": "c2", "base_version": 4, "payload": {"event": {}}},
           {"op_id": "c", "kind": "case.edit", "case_id": "c3", "base_version": 1, "payload": {}}]
    answers = revoked.refusals("sekel", ops, err)  # type: ignore[arg-type]
    assert [a["errno"] for a in answers] == [int(Errno.CERTIFICATE_REVOKED), int(Errno.CERTIFICATE_REVOKED),
                                             int(Errno.DEVICE_REVOKED)]
    assert "004" in answers[0]["message"] and "antrean tanda tangan" in answers[1]["message"]
    assert "Rekomendasi" in answers[1]["message"] and "2026-12-02 01:44" in answers[1]["message"]
