"""Where logs live: a local folder or any fsspec URL Inspect accepts (`s3://bucket/audits/`, ...).

Audits that run on several machines (`--executor ray`) write every unit's logs to one
location all workers and the driver can reach: a shared filesystem path, or an object
store URL. `pathlib.Path` cannot hold a URL (`Path("s3://b/x")` is `s3:/b/x`), so a log
location is kept as a `Path` when it is local and as a `str` when it is a URL, and the
few operations an audit needs on it (join, create, check writable) are here.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Union

from auditor.errors import ConfigError

LogLocation = Union[Path, str]

# `scheme://...` with a scheme of two or more characters (a Windows drive `C:\` is one letter)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")


def is_url(location: object) -> bool:
    """Whether a log location is a URL (`s3://...`, `gs://...`, `file:///...`) rather than a local path."""
    return isinstance(location, str) and bool(_URL.match(location))


def log_location(text: str) -> LogLocation:
    """The argparse type of `--log-dir`: a URL stays text, anything else is a local path."""
    return text.rstrip("/") if is_url(text) else Path(text)


def join(location: LogLocation, *parts: str) -> LogLocation:
    """`location/part/...` for a path or a URL."""
    if is_url(location):
        return "/".join([str(location).rstrip("/"), *(p.strip("/") for p in parts)])
    return Path(location).joinpath(*parts)


def _filesystem(location: str):  # noqa: ANN202 - fsspec types are untyped
    from fsspec.core import url_to_fs

    try:
        return url_to_fs(location)
    except (ValueError, ImportError) as exc:  # unknown protocol, or its fsspec package is not installed
        raise ConfigError(
            f"log location {location} cannot be used: {' '.join(str(exc).split())}; "
            "use a local folder or a URL of a filesystem fsspec knows (s3://, gs://, az://, with its package installed)"
        ) from None


def ensure_dir(location: LogLocation) -> None:
    """Create the folder (object stores have no folders: nothing to do there)."""
    if is_url(location):
        fs, path = _filesystem(str(location))
        fs.makedirs(path, exist_ok=True)
    else:
        Path(location).mkdir(parents=True, exist_ok=True)


def check_writable(location: LogLocation) -> None:
    """Create the folder and write, then delete, a probe file there; a ConfigError says why not.

    Run where the logs will be written (on a Ray worker for `--executor ray`), before any
    model is queried, so an unwritable location costs nothing.
    """
    probe = join(location, f".auditor-write-probe-{uuid.uuid4().hex[:12]}")
    try:
        ensure_dir(location)
        if is_url(probe):
            fs, path = _filesystem(str(probe))
            with fs.open(path, "w") as handle:
                handle.write("ok")
            fs.rm(path)
        else:
            Path(probe).write_text("ok", encoding="utf-8")
            Path(probe).unlink()
    except ConfigError:
        raise
    except Exception as exc:  # OSError, PermissionError, botocore errors, ...
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(f"log folder {location} cannot be written ({reason})") from None


def exists(location: LogLocation) -> bool:
    if is_url(location):
        fs, path = _filesystem(str(location))
        return bool(fs.exists(path))
    return Path(location).exists()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, then rename (atomic on POSIX): a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def slug(spec: str) -> str:
    """A file-system-safe, collision-free folder name for a model spec (specs can be untrusted ids)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", spec).strip("._")[:80] or "model"
    return f"{readable}-{hashlib.sha256(spec.encode()).hexdigest()[:8]}"
