"""Wire ops for tests that push straight to a server: new SKD cases with made-up names."""

from __future__ import annotations

import uuid

from sync.protocol import Op


def create_ops(n: int, name: str = "Warga") -> list[Op]:
    """``n`` ``case.create`` ops of fresh SKD cases named ``"{name} {i}"``."""
    ops: list[Op] = []
    for i in range(n):
        case_id = str(uuid.uuid4())
        ops.append({"op_id": str(uuid.uuid4()), "kind": "case.create", "case_id": case_id, "base_version": 0,
                    "payload": {"case": {"id": case_id, "service": "SKD", "nik": "3573015708900003",
                                         "name": f"{name} {i}", "fields": {"alamat": f"Jl. {i}"},
                                         "created_at": "2026-11-27T08:00:00Z", "due_date": "2026-11-30"}}})
    return ops
