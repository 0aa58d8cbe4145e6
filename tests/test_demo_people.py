"""The demo has people for every area of the catalogue: for each service, a petugas where it is registered and a
verifikator and penandatangan for every step of its approval chain — so `make run` can walk each service to a
signed letter from the *Pengguna* menu. And the demo laptop and the demo server name the same people."""

from __future__ import annotations

from app.domain.catalog import load_catalog
from app.domain.offices import directory
from sync.demo_people import DEMO_USERS
from ui import demo


def _people(role: str, office: str) -> list[str]:
    return [u for u, _full, r, o, *_rest in DEMO_USERS if r == role and o == office]


def test_every_service_can_be_walked_by_demo_people() -> None:
    catalog, offices = load_catalog(), directory()
    missing: list[str] = []
    for service in catalog:
        registering = {o for _u, _f, role, o, *_r in DEMO_USERS if role == "petugas"
                       and (office := offices.get(o)) is not None and office.level is service.office_level
                       and (not service.owner_office or service.owner_office == o)}
        if not registering:
            missing.append(f"{service.code}: no petugas")
        for case_office in sorted(registering):
            for number, step in enumerate(service.approval_chain, 1):
                where = service.step_office(number, case_office, offices)
                if not _people(step.role.value, where):
                    missing.append(f"{service.code} from {case_office}: step {number} needs a {step.role.value} "
                                   f"at {where}")
    assert not missing, "\n".join(missing)


def test_demo_laptop_and_server_name_the_same_people() -> None:
    from sync.server.cli import DEMO_USERS as SERVER_USERS

    by_name = {u: (full, role, nip, pos) for u, full, role, _office, nip, pos in SERVER_USERS}
    for username, full, role, nip, position in demo.USERS:
        assert by_name[username] == (full, role, nip, position)
    assert set(demo.DEMO_SECRETS) == set(by_name)
