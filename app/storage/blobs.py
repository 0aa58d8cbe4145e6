"""Content-addressed files (attachments, letters) next to the database: ``blobs/ab/abcdef….``"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from app.errors import UserFacingError
from app.fileio import write_atomic

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
    def __init__(self, root: Path, limit: int = MAX_ATTACHMENT_BYTES) -> None:
        self.root = root
        self.limit = limit

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).exists()

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()

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
            write_atomic(target, data)
        return StoredBlob(digest, len(data), mime or sniff(data) or "application/octet-stream")
