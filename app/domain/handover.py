"""Hand-over records (serah terima): who collected the signed letter, with what ID; the check the laptop and
the server both apply. Recording one on the issue step is app.services.handover."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.i18n import register, tr

RELATIONS = ("sendiri", "keluarga", "kuasa")
MAX_NAME = 120
MAX_ID = 64
KEYS = frozenset({"name", "relation", "id_shown", "at"})

register({
    "handover.name": {"id": "Nama penerima wajib diisi (2–120 huruf).",
                      "en": "The collector's name is required (2–120 characters)."},
    "handover.relation": {"id": "Hubungan penerima harus sendiri, keluarga atau kuasa.",
                          "en": "The collector's relation must be sendiri (self), keluarga (family) or kuasa "
                                "(proxy)."},
    "handover.id_shown": {"id": "Identitas yang ditunjukkan wajib diisi (paling banyak 64 huruf).",
                          "en": "The ID shown is required (at most 64 characters)."},
    "handover.relation.sendiri": {"id": "pemohon sendiri", "en": "the applicant"},
    "handover.relation.keluarga": {"id": "keluarga", "en": "family"},
    "handover.relation.kuasa": {"id": "kuasa", "en": "proxy"},
})


def problems(record: Mapping[str, Any]) -> list[str]:
    """Message keys of what is wrong with a hand-over record (the laptop's and the server's check)."""
    found = []
    name = record.get("name")
    if not isinstance(name, str) or not 2 <= len(name.strip()) <= MAX_NAME or not name.strip().isprintable():
        found.append("handover.name")
    if record.get("relation") not in RELATIONS:
        found.append("handover.relation")
    shown = record.get("id_shown")
    if not isinstance(shown, str) or not 1 <= len(shown.strip()) <= MAX_ID or not shown.strip().isprintable():
        found.append("handover.id_shown")
    if set(record) - KEYS:
        found.append("handover.name")
    return found


def relation_label(relation: str) -> str:
    return tr(f"handover.relation.{relation}") if relation in RELATIONS else relation
