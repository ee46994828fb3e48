"""Stored files (attachments, exports): one interface over a folder or S3-compatible storage.

The folder under ``UPLOAD_DIR`` is the default; ``STORAGE_URL=s3://bucket/prefix`` selects an
S3-compatible bucket (``S3_ENDPOINT_URL`` for MinIO and the like; credentials from the usual
``AWS_*`` environment), which several app hosts and workers share. Keys are made by the console
(``exports/EXP-20261122-000001/orders.csv``), never taken from a file name as typed: a key that
could leave its folder is refused. Records keep the key, size and SHA-256 that ``save`` returns;
downloads stream through the console (``mallconsole/web/downloads.py``), never from a public URL.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from mallconsole.config import parse_storage_url
from mallconsole.core.errors import ConfigError, DomainError, NotFound

CHUNK_SIZE = 64 * 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"
MAX_KEY_LENGTH = 1024  # bytes, as S3 allows
EXTENSION_KEY = "mallconsole.storage"

# Control characters (NUL included) never belong in a key.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class InvalidKey(DomainError):
    """A storage key that could escape its folder or is not a plain relative path."""

    status = 400
    title = "Bad request"


class StoredFileMissing(NotFound):
    """No stored file under that key (never saved, deleted, or expired)."""


@dataclass(frozen=True)
class StoredFile:
    """What ``save`` wrote: keep it on the record the file belongs to."""

    key: str
    size: int
    sha256: str
    content_type: str


class StoredStream:
    """A stored file opened for reading: ``size``, ``read(n)``, ``chunks()``, ``close()``."""

    def __init__(self, raw: BinaryIO, size: int, content_type: str | None = None):
        self._raw = raw
        self.size = size
        self.content_type = content_type
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        return self._raw.read(n) if n is not None and n >= 0 else self._raw.read()

    def chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The content, ``chunk_size`` bytes at a time; closes the file at the end."""
        try:
            while chunk := self._raw.read(chunk_size):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._raw.close()

    def __enter__(self) -> StoredStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Storage(Protocol):
    """What every backend offers; keys are checked by ``check_key`` first."""

    def save(
        self, key: str, stream: BinaryIO | bytes, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> StoredFile: ...

    def open(self, key: str) -> StoredStream: ...

    def size(self, key: str) -> int: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """``key`` if it is a plain relative path of non-hidden segments; ``InvalidKey`` otherwise."""
    if not isinstance(key, str) or not key:
        raise InvalidKey("A stored file needs a key.")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_LENGTH:
        raise InvalidKey(f"A storage key is at most {MAX_KEY_LENGTH} bytes long.")
    if _CONTROL.search(key) or "\\" in key:
        raise InvalidKey("A storage key may not contain control characters or backslashes.")
    if key.startswith("/") or re.match(r"^[A-Za-z]:", key):
        raise InvalidKey("A storage key is relative, never an absolute path.")
    for segment in key.split("/"):
        if not segment:
            raise InvalidKey("A storage key has no empty parts (no '//', no trailing '/').")
        if segment.startswith("."):
            # Covers '.' and '..' (leaving the folder) and hidden names (our temporary files).
            raise InvalidKey("No part of a storage key may start with '.' ('..' included).")
    return key


def new_key(prefix: str, file_name: str | None = None) -> str:
    """A fresh key under ``prefix``: ``prefix/<uuid>/<safe file name>`` (the name kept readable)."""
    name = _UNSAFE_NAME.sub("_", Path((file_name or "").replace("\\", "/")).name).lstrip("._")
    key = f"{prefix.strip('/')}/{uuid.uuid4().hex}/{name[:120] or 'file'}"
    return check_key(key)


class _HashingReader:
    """Reads ``source`` once, counting bytes and hashing them on the way (not seekable)."""

    def __init__(self, source: BinaryIO):
        self._source = source
        self.size = 0
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        chunk = self._source.read(n)
        if isinstance(chunk, str):
            raise TypeError("stored files are bytes: open the source in binary mode")
        self.size += len(chunk)
        self.digest.update(chunk)
        return chunk


def _as_stream(stream: BinaryIO | bytes | bytearray | memoryview) -> BinaryIO:
    if isinstance(stream, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(stream))
    if not hasattr(stream, "read"):
        raise TypeError("save() takes bytes or a binary file object")
    return stream


class FolderStorage:
    """Files under one folder; each save lands whole (a temporary file, then a rename)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"FolderStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        # A symlink inside the folder must not lead out of it either.
        if not path.is_relative_to(self.root) or path == self.root:
            raise InvalidKey("A storage key may not lead outside the storage folder.")
        return path

    def save(
        self, key: str, stream: BinaryIO | bytes, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> StoredFile:
        """Write the stream under ``key`` (replacing any earlier file) and describe it."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        reader = _HashingReader(_as_stream(stream))
        handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=".partial-", delete=False)
        try:
            with handle:
                while chunk := reader.read(CHUNK_SIZE):
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, path)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return StoredFile(key, reader.size, reader.digest.hexdigest(), content_type)

    def open(self, key: str) -> StoredStream:
        path = self._path(key)
        try:
            raw = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise StoredFileMissing(_missing_message()) from None
        return StoredStream(raw, os.fstat(raw.fileno()).st_size)

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise StoredFileMissing(_missing_message())
        return path.stat().st_size

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_file():
            path.unlink(missing_ok=True)


class S3Storage:
    """Objects in one bucket under a prefix, on AWS S3 or any compatible server."""

    def __init__(
        self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, client=None
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if client is None:
            import boto3  # only deployments that use object storage pay for importing it

            # A session of its own: boto3's default session is not safe to share between
            # threads, a client is.
            client = boto3.session.Session().client("s3", endpoint_url=endpoint_url or None)
        self.client = client

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _object_key(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def save(
        self, key: str, stream: BinaryIO | bytes, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> StoredFile:
        """Upload the stream (in parts when large); the object appears only when complete."""
        object_key = self._object_key(key)
        reader = _HashingReader(_as_stream(stream))
        self.client.upload_fileobj(
            reader, self.bucket, object_key, ExtraArgs={"ContentType": content_type}
        )
        return StoredFile(key, reader.size, reader.digest.hexdigest(), content_type)

    def open(self, key: str) -> StoredStream:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except self.client.exceptions.NoSuchKey:
            raise StoredFileMissing(_missing_message()) from None
        return StoredStream(answer["Body"], answer["ContentLength"], answer.get("ContentType"))

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise StoredFileMissing(_missing_message())
        return head["ContentLength"]

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))


def _missing_message() -> str:
    return "This file is no longer available. It may have expired or been removed."


def build_storage(config: Mapping) -> Storage:
    """The backend the settings name: S3 when ``STORAGE_URL`` is set, else ``UPLOAD_DIR``."""
    url = config.get("STORAGE_URL")
    if url:
        bucket, prefix = parse_storage_url(url)
        return S3Storage(bucket, prefix, endpoint_url=config.get("S3_ENDPOINT_URL"))
    folder = config.get("UPLOAD_DIR")
    if not folder:
        raise ConfigError("UPLOAD_DIR or STORAGE_URL must say where files are stored")
    return FolderStorage(folder)


def storage_for(app) -> Storage:
    """The app's storage backend, built from its config once and kept on ``app.extensions``."""
    backend = app.extensions.get(EXTENSION_KEY)
    if backend is None:
        backend = app.extensions[EXTENSION_KEY] = build_storage(app.config)
    return backend


def get_storage() -> Storage:
    """The storage backend of the current app (requests, CLI commands, tasks)."""
    from flask import current_app

    return storage_for(current_app._get_current_object())
