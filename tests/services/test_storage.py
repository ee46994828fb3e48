"""Stored files: the same promises from the folder backend and from S3 (a moto server)."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest

from mallconsole.config import config_class, parse_storage_url
from mallconsole.core.errors import ConfigError
from mallconsole.services.delivery.storage import (
    CHUNK_SIZE,
    EXTENSION_KEY,
    FolderStorage,
    InvalidKey,
    S3Storage,
    StoredFile,
    StoredFileMissing,
    build_storage,
    check_key,
    new_key,
    storage_for,
)

BAD_KEYS = [
    "",
    "../outside.txt",
    "exports/../../outside.txt",
    "exports/..",
    "./here.txt",
    "exports/.hidden",
    "/etc/passwd",
    "C:/windows/win.ini",
    "exports\\report.csv",
    "exports/re\x00port.csv",
    "exports/line\nbreak.csv",
    "exports//report.csv",
    "exports/",
    "x" * 1025,
]


@pytest.fixture(params=["folder", "s3"])
def storage(request, tmp_path):
    if request.param == "folder":
        return FolderStorage(tmp_path / "uploads")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Storage(bucket, "console/files", client=request.getfixturevalue("s3_client"))


def payload(size: int) -> bytes:
    return os.urandom(size)


def read_all(storage, key: str) -> bytes:
    with storage.open(key) as stored:
        return stored.read()


def test_a_saved_file_reads_back_with_its_size_and_digest(storage):
    content = payload(3 * CHUNK_SIZE + 17)
    record = storage.save("exports/EXP-1/orders.csv", io.BytesIO(content), "text/csv")
    assert record == StoredFile(
        "exports/EXP-1/orders.csv", len(content), hashlib.sha256(content).hexdigest(), "text/csv"
    )
    assert storage.exists("exports/EXP-1/orders.csv")
    assert storage.size("exports/EXP-1/orders.csv") == len(content)
    with storage.open("exports/EXP-1/orders.csv") as stored:
        assert stored.size == len(content)
        assert stored.read() == content


def test_reading_streams_in_chunks_and_closes_the_file(storage):
    content = payload(2 * CHUNK_SIZE + 5)
    storage.save("attachments/a/b.bin", content)
    stored = storage.open("attachments/a/b.bin")
    chunks = list(stored.chunks())
    assert [len(c) for c in chunks] == [CHUNK_SIZE, CHUNK_SIZE, 5]
    assert b"".join(chunks) == content
    assert stored.closed


def test_saving_again_replaces_the_file(storage):
    storage.save("attachments/x.txt", b"first version, longer than the second")
    record = storage.save("attachments/x.txt", b"second", "text/plain")
    assert record.size == 6
    assert read_all(storage, "attachments/x.txt") == b"second"


def test_a_missing_file_is_a_404_domain_error(storage):
    for read in (storage.open, storage.size):
        with pytest.raises(StoredFileMissing) as missing:
            read("exports/never-saved.csv")
        assert missing.value.status == 404
        assert "no longer available" in missing.value.message
    assert not storage.exists("exports/never-saved.csv")
    storage.delete("exports/never-saved.csv")  # deleting nothing is not an error


def test_delete_removes_the_file(storage):
    storage.save("exports/gone.csv", b"a,b\n")
    storage.delete("exports/gone.csv")
    assert not storage.exists("exports/gone.csv")
    with pytest.raises(StoredFileMissing):
        storage.open("exports/gone.csv")


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_that_could_leave_the_folder_are_refused_everywhere(storage, key):
    for call in (
        lambda: storage.save(key, b"x"),
        lambda: storage.open(key),
        lambda: storage.size(key),
        lambda: storage.exists(key),
        lambda: storage.delete(key),
    ):
        with pytest.raises(InvalidKey) as refused:
            call()
        assert refused.value.status == 400


def test_saving_refuses_text_streams(storage):
    with pytest.raises(TypeError, match="binary"):
        storage.save("exports/text.csv", io.StringIO("not bytes"))
    assert not storage.exists("exports/text.csv")


def test_keys_made_by_new_key_are_valid_and_keep_the_name_readable():
    key = new_key("attachments/cases", "../../Rapport final (v2).pdf")
    prefix, random_part, name = key.split("/")[1:]
    assert key.startswith("attachments/cases/") and len(random_part) == 32
    assert name == "Rapport_final_v2_.pdf" and prefix == "cases"
    assert check_key(key) == key
    assert new_key("exports", "").endswith("/file")
    assert new_key("exports", "..").endswith("/file")
    assert new_key("exports", "보고서.csv").endswith("/csv")


# --- the folder backend -----------------------------------------------------------------------


class Broken(io.RawIOBase):
    """A stream that fails after its first chunk (a client that went away mid-upload)."""

    def __init__(self):
        self.calls = 0

    def read(self, n=-1):
        self.calls += 1
        if self.calls > 1:
            raise OSError("connection reset")
        return b"partial data"


def test_folder_writes_atomically_and_leaves_no_partial_file(tmp_path):
    storage = FolderStorage(tmp_path / "uploads")
    storage.save("exports/report.csv", b"the complete earlier version")
    with pytest.raises(OSError, match="connection reset"):
        storage.save("exports/report.csv", Broken())
    assert read_all(storage, "exports/report.csv") == b"the complete earlier version"
    with pytest.raises(OSError):
        storage.save("exports/new.csv", Broken())
    assert not storage.exists("exports/new.csv")
    assert sorted(p.name for p in (tmp_path / "uploads" / "exports").iterdir()) == ["report.csv"]


def test_concurrent_saves_of_one_key_never_mix(tmp_path):
    storage = FolderStorage(tmp_path / "uploads")
    versions = [bytes([n]) * (4 * CHUNK_SIZE) for n in range(8)]
    barrier = threading.Barrier(len(versions))

    def write(content):
        barrier.wait()
        storage.save("exports/shared.bin", content)

    threads = [threading.Thread(target=write, args=(v,)) for v in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert read_all(storage, "exports/shared.bin") in versions
    assert os.listdir(tmp_path / "uploads" / "exports") == ["shared.bin"]


def test_folder_refuses_a_symlink_that_leads_outside(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not for download")
    root = tmp_path / "uploads"
    (root / "exports").mkdir(parents=True)
    (root / "exports" / "link.txt").symlink_to(outside)
    storage = FolderStorage(root)
    with pytest.raises(InvalidKey):
        storage.open("exports/link.txt")
    with pytest.raises(InvalidKey):
        storage.save("exports/link.txt", b"overwrite")
    assert outside.read_text() == "not for download"


def test_a_directory_is_not_a_stored_file(tmp_path):
    storage = FolderStorage(tmp_path / "uploads")
    storage.save("exports/EXP-1/orders.csv", b"x")
    assert not storage.exists("exports/EXP-1")
    with pytest.raises(StoredFileMissing):
        storage.open("exports/EXP-1")


# --- the S3 backend ---------------------------------------------------------------------------


def test_s3_keeps_objects_under_the_prefix_with_their_content_type(s3_bucket, s3_client):
    storage = S3Storage(s3_bucket, "/console/files/", client=s3_client)
    storage.save("exports/EXP-2/orders.csv", b"id,total\n", "text/csv")
    listed = storage.client.list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert [o["Key"] for o in listed] == ["console/files/exports/EXP-2/orders.csv"]
    with storage.open("exports/EXP-2/orders.csv") as stored:
        assert stored.content_type == "text/csv"


def test_s3_large_files_upload_in_parts_and_hash_whole(s3_bucket, s3_client):
    storage = S3Storage(s3_bucket, client=s3_client)
    content = payload(9 * 1024 * 1024 + 3)  # over boto3's 8 MiB multipart threshold
    record = storage.save("exports/big.bin", io.BytesIO(content))
    assert record.size == len(content)
    assert record.sha256 == hashlib.sha256(content).hexdigest()
    head = storage.client.head_object(Bucket=s3_bucket, Key="exports/big.bin")
    assert "-" in head["ETag"]  # a multipart upload's ETag
    assert hashlib.sha256(b"".join(storage.open("exports/big.bin").chunks())).hexdigest() == (
        record.sha256
    )


def test_two_hosts_share_files_through_the_bucket(s3_bucket, s3_endpoint):
    web = S3Storage(s3_bucket, "shared", endpoint_url=s3_endpoint)
    worker = S3Storage(s3_bucket, "shared", endpoint_url=s3_endpoint)
    worker.save("exports/EXP-3/refunds.csv", b"made by a worker")
    assert read_all(web, "exports/EXP-3/refunds.csv") == b"made by a worker"


# --- which backend -----------------------------------------------------------------------------


def test_the_backend_follows_the_settings(tmp_path, s3_bucket, s3_endpoint):
    folder = build_storage({"UPLOAD_DIR": str(tmp_path / "up"), "STORAGE_URL": None})
    assert isinstance(folder, FolderStorage) and folder.root == (tmp_path / "up").resolve()
    s3 = build_storage(
        {
            "UPLOAD_DIR": str(tmp_path),
            "STORAGE_URL": f"s3://{s3_bucket}/a/b/",
            "S3_ENDPOINT_URL": s3_endpoint,
        }
    )
    assert isinstance(s3, S3Storage) and (s3.bucket, s3.prefix) == (s3_bucket, "a/b")
    assert s3.client.meta.endpoint_url == s3_endpoint


@pytest.mark.parametrize(
    "url", ["http://bucket/prefix", "s3://", "s3:///prefix", "s3://bucket/p?x=1", "bucket"]
)
def test_a_malformed_storage_url_is_refused(url):
    with pytest.raises(ConfigError, match="s3://bucket/prefix"):
        parse_storage_url(url)


def test_the_config_reads_storage_settings_and_refuses_a_bad_url(monkeypatch, tmp_path):
    monkeypatch.setenv("STORAGE_URL", "s3://mall-files/console")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    values = config_class("testing").from_environment(str(tmp_path))
    assert values["STORAGE_URL"] == "s3://mall-files/console"
    assert values["S3_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    monkeypatch.setenv("STORAGE_URL", "ftp://mall-files")
    with pytest.raises(ConfigError, match="STORAGE_URL"):
        config_class("testing").from_environment(str(tmp_path))


def test_the_app_builds_its_storage_once(app):
    app.extensions.pop(EXTENSION_KEY, None)
    try:
        first = storage_for(app)
        assert storage_for(app) is first
        assert isinstance(first, FolderStorage)
        assert str(first.root) == str(os.path.realpath(app.config["UPLOAD_DIR"]))
    finally:
        app.extensions.pop(EXTENSION_KEY, None)
