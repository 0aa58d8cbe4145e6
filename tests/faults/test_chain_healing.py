"""A device's approval chain that breaks anyway heals on the server; what the chain protects is still refused.

Accepted and re-anchored (recorded in ``chain_breaks``): an event naming a predecessor the server never
received (a lost op, an approval refused for its own reasons), an event arriving before its predecessor, the
first event of a device that names one. Refused: a replayed event, a second event under a used counter
(equivocation), a counter not above the predecessor's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from faults.test_signature_attacks import City
from sync.server import storage as t


def breaks(city: City) -> list[tuple[str, int, int]]:
    with city.server.engine.connect() as conn:
        return [(r.kind, int(r.counter), int(r.head_counter)) for r in conn.execute(
            select(t.chain_breaks).order_by(t.chain_breaks.c.id))]


def head(city: City) -> tuple[int, str]:
    with city.server.engine.connect() as conn:
        row = conn.execute(select(t.device_chains).where(t.device_chains.c.device_id == city.lurah.device_id)).one()
    return int(row.counter), str(row.last_hash)


def signed_offline(city: City, count: int) -> list[tuple[Any, dict[str, Any]]]:
    """``count`` approvals signed in a row on the Lurah's laptop (numbers and counters consecutive)."""
    out = []
    for _ in range(count):
        event, op = city.approval(city.verified_case())
        city.accepted(event)  # the laptop's own chain moves on, whatever the server will say
        out.append((event, op))
    return out


def status(city: City, op: dict[str, Any]) -> tuple[str, int | None]:
    result = city.push(city.lurah, op)
    return result["status"], result.get("errno")


def test_a_lost_predecessor_is_re_anchored_and_recorded(tmp_path: Path) -> None:
    city = City(tmp_path / "city")
    (first, op1), (_lost, _op2), (third, op3) = signed_offline(city, 3)
    assert status(city, op1) == ("applied", None)
    assert status(city, op3) == ("applied", None)  # its predecessor never arrives
    assert head(city) == (3, third.hash)
    assert breaks(city) == [("relinked", 3, 1)]


def test_successor_before_predecessor_both_accepted(tmp_path: Path) -> None:
    city = City(tmp_path / "city")
    (first, op1), (second, op2) = signed_offline(city, 2)
    assert status(city, op2) == ("applied", None)
    assert status(city, op1) == ("applied", None)
    assert head(city) == (2, second.hash)
    assert breaks(city) == [("first", 2, 0), ("late", 1, 2)]


def test_refused_approval_in_the_middle_does_not_void_the_next(tmp_path: Path) -> None:
    """The middle approval names a number outside the lease (refused, its number recorded as void); the next
    one, which names it as predecessor, links to it and is accepted."""
    city = City(tmp_path / "city")
    _event, op1 = city.approval(city.verified_case())
    assert status(city, op1) == ("applied", None)
    city.accepted(_event)
    bad, op2 = city.approval(city.verified_case(), number=city.lease["last"] + 100)
    assert status(city, op2)[0] == "rejected"
    city.counter, city.last = bad.device_counter, bad.hash
    good, op3 = city.approval(city.verified_case())
    assert status(city, op3) == ("applied", None)
    assert breaks(city) == []  # the refused event still took its place in the chain
    with city.server.engine.connect() as conn:
        void = conn.execute(select(t.void_numbers)).one()
    assert (void.letter_number, void.reason) == (bad.letter_number, "number")


def test_replay_equivocation_and_backwards_counters_still_refused(tmp_path: Path) -> None:
    city = City(tmp_path / "city")
    [(first, op1)] = signed_offline(city, 1)
    assert status(city, op1) == ("applied", None)
    # the same event again under a new op id
    replay = city.push(city.lurah, {**op1, "op_id": "6f1f7a0e-0000-4000-8000-000000000001"})
    assert replay["status"] == "rejected" and "replay" in replay["message"]
    # another event under counter 1 (the laptop signed two different things with one counter)
    _twin, op = city.approval(city.verified_case(), counter=1, prev=None)
    twin = city.push(city.lurah, op)
    assert twin["status"] == "rejected" and "counter" in twin["message"] and twin["chain"]["counter"] == 1
    # counters may jump (events lost on the way): 5 naming event 1 is re-anchored
    fifth, op5 = city.approval(city.verified_case(), counter=5, prev=first.hash)
    assert status(city, op5) == ("applied", None)
    city.next_number += 1
    # an unused counter, but not above the predecessor it names
    _back, op = city.approval(city.verified_case(), counter=4, prev=fifth.hash)
    back = city.push(city.lurah, op)
    assert back["status"] == "rejected" and "backwards" in back["message"]
    assert head(city) == (5, fifth.hash)
