"""Uploaded files encrypted on disk: the default storage of every FileField.

`EncryptedFileSystemStorage` writes each file as one token of
`openmil.core.crypto` and decrypts it when opened, so `FieldFile.open()`,
`.read()` and `.size` give the plain content while the disk holds none of
it. Files are never served from a public URL: a view checks access with a
selector, then answers with `file_response()`.

A file is read whole into memory to encrypt or decrypt it; uploads are
documents (scans, certificates), not video. `FieldFile.path` names the
encrypted file: read content through `open()` only.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse

from openmil.core import crypto


class EncryptedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files hold only ciphertext."""

    encrypted = True

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def _save(self, name: str, content: File) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        plain = b"".join(
            chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")
            for chunk in content.chunks()
        )
        sealed = ContentFile(crypto.encrypt_bytes(plain))
        return super()._save(name, sealed)  # type: ignore[misc]

    def _open(self, name: str, mode: str = "rb") -> File:
        if any(flag in mode for flag in "wa+"):
            raise ValueError("Encrypted files are written with save(), not opened.")
        with open(self.path(name), "rb") as stored:
            plain = crypto.decrypt_bytes(stored.read())
        return ContentFile(plain, name=name)

    def size(self, name: str) -> int:
        """The size of the plain content (the file on disk is larger)."""
        with self._open(name) as content:
            return int(content.size)

    def stored_files(self) -> Iterator[str]:
        """Names of every file under the storage's folder."""
        root = Path(self.location)
        if not root.is_dir():
            return
        for folder, _dirs, files in os.walk(root):
            for filename in files:
                yield str((Path(folder) / filename).relative_to(root))

    def reencrypt(self, name: str) -> bool:
        """Rewrite the file under the current key; False if it already was."""
        path = Path(self.path(name))
        data = path.read_bytes()
        if crypto.bytes_key_id(data) == crypto.current_key_id():
            return False
        sealed = crypto.encrypt_bytes(crypto.decrypt_bytes(data))
        # Write beside it and swap, so a crash never leaves half a file.
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".rekey-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(sealed)
            os.chmod(temp, self.file_permissions_mode or 0o600)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return True


def file_response(
    field_file: Any, *, filename: str = "", inline: bool = False
) -> FileResponse:
    """Serve a stored file, decrypted, to a user a view has already checked."""
    handle = field_file.storage.open(field_file.name, "rb")
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename or Path(field_file.name).name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
