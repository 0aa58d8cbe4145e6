"""A profile opened for work: its database, blob store, catalogue, device id and users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from app import clock
from app.domain.catalog import Catalog, default_catalog
from app.domain.offices import directory
from app.domain.roles import Role
from app.errors import UserFacingError
from app.events import Changes, EventBus, bus
from app.i18n import register
from app.paths import default_profile_dir
from app.storage import meta, repo
from app.storage.blobs import BlobStore
from app.storage.db import Database
from app.storage.models import User

register({
    "user.enrolled_exists": {
        "id": "'{name}' sudah terdaftar dari server di perangkat ini; pengguna lokal tidak boleh memakai nama itu.",
        "en": "'{name}' is already enrolled from the server on this device; a local user cannot take that name.",
    },
})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, on which device. Every mutation takes one."""

    username: str
    full_name: str
    role: Role
    office: str
    device: str
    nip: str | None = None
    position: str | None = None


class Workspace:
    def __init__(self, profile: Path | None = None, catalog: Catalog | None = None,
                 events: EventBus | None = None) -> None:
        self.profile = (profile or default_profile_dir()).expanduser()
        self.profile.mkdir(parents=True, exist_ok=True)
        self.profile.chmod(0o700)
        self.db = Database(self.profile / "loket.db")
        from app import config

        limit_mb = config.load(self.profile).get(config.ATTACHMENT_LIMIT_MB)
        self.blobs = BlobStore(self.profile / "blobs", limit=limit_mb * 1024 * 1024,
                               cipher=self.db.keys.blob_cipher())
        self.catalog = catalog or default_catalog()
        self.offices = directory()
        self.events = events or bus
        self.device_id = self._device_id()

    @property
    def logs_dir(self) -> Path:
        return self.profile / "logs"

    def _device_id(self) -> str:
        with self.db.read() as s:
            found = meta.device_id(s)
        if found:
            return found
        with self.db.write() as s:
            found = meta.device_id(s)
            if not found:
                found = str(uuid.uuid4())
                meta.set_device_id(s, found)
        return found

    def users(self) -> list[User]:
        with self.db.read() as s:
            return repo.users(s)

    def add_local_user(self, username: str, full_name: str, role: str, office: str,
                       nip: str | None = None, position: str | None = None, enrolled: bool = False) -> Changes:
        """Record a person who may work on this device (enrolment calls this too)."""
        parsed = Role.parse(role)
        if office not in self.offices:
            raise UserFacingError("office.unknown", code=office)
        with self.db.write() as s:
            user = s.get(User, username) or User(username=username, created_at=clock.now_iso())
            if user.enrolled and not enrolled:  # a local user never takes over an enrolled person's name
                raise UserFacingError("user.enrolled_exists", name=username)
            user.full_name, user.role, user.office = full_name, parsed.value, office
            user.nip, user.position, user.enrolled = nip, position, enrolled
            s.add(user)
            if meta.active_user(s) is None:
                meta.set_active_user(s, username)
        changes = Changes(users=True)
        self.events.publish("changes", changes)
        return changes

    def use(self, username: str) -> None:
        with self.db.write() as s:
            if s.get(User, username) is None:
                raise UserFacingError("user.unknown", name=username)
            meta.set_active_user(s, username)

    def actor(self, username: str | None = None) -> Actor:
        with self.db.read() as s:
            name = username or meta.active_user(s)
            if not name:
                raise UserFacingError("user.none")
            user = s.get(User, name)
            if user is None:
                raise UserFacingError("user.unknown", name=name)
            return Actor(user.username, user.full_name, Role(user.role), user.office, self.device_id,
                         user.nip, user.position)

    def close(self) -> None:
        self.db.close()
