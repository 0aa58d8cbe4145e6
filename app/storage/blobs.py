"""Content-addressed files (attachments, letters) next to the database, encrypted per file.

A blob is addressed by the sha256 of its plaintext everywhere in Loket (cases, ops, the server). On disk it is
``blobs/<n[:2]>/<n>`` where ``n`` is a keyed hash of that sha256 (:meth:`BlobCipher.name`), and the file holds
the AES-256-GCM encryption of the bytes (:mod:`app.storage.atrest`). Writes stay atomic (temp file, fsync,
rename); the temp file holds ciphertext only. Without a cipher (tests of the plain layout, the plaintext
migration) files are stored as they come, under their sha256.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from app.errors import StorageError, UserFacingError
from app.fileio import write_atomic
from app.storage.atrest import BLOB_MAGIC, BlobCipher

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_MAGIC = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    mime: str


def sniff(data: bytes) -> str | None:
    return next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)


class BlobStore:
    def __init__(self, root: Path, limit: int = MAX_ATTACHMENT_BYTES, cipher: BlobCipher | None = None) -> None:
        self.root = root
        self.limit = limit
        self.cipher = cipher

    @property
    def encrypted(self) -> bool:
        return self.cipher is not None

    def path_of(self, sha256: str) -> Path:
        name = self.cipher.name(sha256) if self.cipher else sha256
        return self.root / name[:2] / name

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).exists()

    def read(self, sha256: str) -> bytes:
        """The plaintext bytes; a file that fails authentication or its hash raises ``blob.damaged``."""
        raw = self.path_of(sha256).read_bytes()
        if self.cipher is None:
            return raw
        data = self.cipher.open(sha256, raw)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StorageError("blob.damaged", name=sha256[:12])
        return data

    def plaintext_files(self) -> list[Path]:
        """Files under the root that are not sealed blobs (left by an older release or copied in)."""
        found = []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                with path.open("rb") as fh:
                    if fh.read(len(BLOB_MAGIC)) != BLOB_MAGIC:
                        found.append(path)
        return found

    def check_file(self, source: Path) -> tuple[bytes, str]:
        """Read and check an attachment before anything is written (size, then type)."""
        try:
            size = source.stat().st_size
        except OSError:
            raise UserFacingError("attachment.missing", name=source.name) from None
        if size > self.limit:
            raise UserFacingError("attachment.too_large", name=source.name,
                                  size=f"{size / 1048576:.1f}", limit=self.limit // 1048576)
        try:
            data = source.read_bytes()
        except OSError as err:  # a folder, no permission, a vanished USB stick
            raise UserFacingError("file.unreadable", path=source.name, reason=err.strerror or str(err)) from None
        mime = sniff(data)
        if mime is None:
            raise UserFacingError("attachment.type", name=source.name)
        return data, mime

    def put(self, data: bytes, mime: str | None = None) -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_of(digest)
        if not target.exists():
            write_atomic(target, self.cipher.seal(digest, data) if self.cipher else data)
        return StoredBlob(digest, len(data), mime or sniff(data) or "application/octet-stream")
