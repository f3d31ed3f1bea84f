"""Reading exported mail: mbox files, Maildirs, and .eml files or folders of them."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intro.errors import UserError


@dataclass(frozen=True)
class Source:
    """Messages from one path, as (label, raw bytes) pairs; a label names one message for errors."""

    path: Path
    kind: str  # "mbox", "maildir" or "eml"
    keys: tuple[Any, ...]  # mailbox keys (int for mbox, str for Maildir), or file paths

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[tuple[str, bytes | None]]:
        """Each message's label and bytes; None for bytes that could not be read."""
        box: mailbox.Mailbox[Any] | None = None
        if self.kind == "mbox":
            box = mailbox.mbox(self.path, create=False)
        elif self.kind == "maildir":
            box = mailbox.Maildir(self.path, factory=None, create=False)
        for key in self.keys:
            label = f"{self.path}#{key}" if box is not None else key
            try:
                yield label, box.get_bytes(key) if box is not None else Path(key).read_bytes()
            except (OSError, KeyError):
                yield label, None
        if box is not None:
            box.close()


def open_path(path: Path) -> Source:
    """What ``path`` holds: a Maildir, a folder of .eml files, an mbox file, or one .eml file."""
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            maildir = mailbox.Maildir(path, factory=None, create=False)
            return Source(path, "maildir", tuple(sorted(maildir.keys())))
        files = sorted(str(p) for p in path.rglob("*.eml") if p.is_file())
        return Source(path, "eml", tuple(files))
    with path.open("rb") as f:
        start = f.read(5)
    if start == b"From ":
        box = mailbox.mbox(path, create=False)
        keys = tuple(box.keys())
        box.close()
        return Source(path, "mbox", keys)
    if not start:
        raise UserError(f"{path}: empty file; expected an mbox file, a Maildir or .eml files")
    return Source(path, "eml", (str(path),))
