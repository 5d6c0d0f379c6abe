"""Atomic writes: a reader sees the old file or the new one, never part of one."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tarwatch.atomic import write_bytes, write_text


def test_write_text_creates_the_folder_and_the_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "f.txt"
    write_text(target, "héllo")
    assert target.read_text(encoding="utf-8") == "héllo"


def test_a_written_file_is_readable_by_others_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    write_bytes(tmp_path / "f", b"x")
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644
    assert os.listdir(tmp_path) == ["f"]


def test_a_reader_never_sees_a_partial_file_while_a_big_one_is_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    versions = [bytes([v]) * (4 << 20) for v in range(1, 6)]  # 4 MiB each, all bytes alike
    write_bytes(target, versions[0])
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            data = target.read_bytes()
            seen.append((len(data), len(set(data))))

    reader = threading.Thread(target=read)
    reader.start()
    for v in versions[1:] * 3:
        write_bytes(target, v)
    done.set()
    reader.join()
    assert seen, "the reader read nothing"
    assert all(size == 4 << 20 and kinds == 1 for size, kinds in seen)
    assert os.listdir(tmp_path) == ["big.bin"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    write_text(target, "old")
    with pytest.raises(UnicodeEncodeError):
        write_text(target, "\ud800")  # a lone surrogate cannot be encoded
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


@pytest.fixture
def strict_umask() -> Iterator[None]:
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def test_files_are_0644_and_the_folders_made_for_them_0755_whatever_the_umask(
    tmp_path: Path, strict_umask: None
) -> None:
    write_bytes(tmp_path / "a" / "b" / "f", b"x")
    assert (tmp_path / "a" / "b" / "f").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o755


def test_private_files_get_private_folders_and_existing_folders_are_left_alone(
    tmp_path: Path, strict_umask: None
) -> None:
    (tmp_path / "mine").mkdir(mode=0o750)
    write_bytes(tmp_path / "mine" / "new" / "secret", b"x", mode=0o600)
    assert (tmp_path / "mine" / "new").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "mine").stat().st_mode & 0o777 == 0o750 & ~0o077


def test_a_failed_write_names_the_target_not_the_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "f.json").mkdir()  # a folder where the file should be: the rename fails
    with pytest.raises(IsADirectoryError) as e:
        write_bytes(tmp_path / "f.json", b"x")
    assert e.value.filename == str(tmp_path / "f.json")
    assert os.listdir(tmp_path) == ["f.json"]
