"""Read pickles from third-party archives without letting them run code.

CipherChat ships its results as PyTorch zip archives holding a pickle. `pickle.load`
(and `torch.load` without `weights_only`) would import and call whatever the pickle
names, so a tampered file could execute code on the training machine. This unpickler
never imports anything: plain containers, strings and numbers load as usual; a class
reference is allowed only when explicitly named, and then becomes an inert placeholder
that records its arguments and state (enough for run-configuration objects nobody needs).
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path
from typing import Any, Iterable

MAX_PICKLE_BYTES = 64 * 1024 * 1024


class Placeholder:
    """Stands in for a class the pickle named: keeps the call arguments and state, does nothing."""

    qualname = "?"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs, self.state = args, kwargs, None

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def __repr__(self) -> str:
        return f"<placeholder for {self.qualname}>"


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler whose `find_class` returns placeholders for allowed names and refuses all others."""

    def __init__(self, file: io.BufferedIOBase, allowed: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(file)
        self.allowed = frozenset(allowed)

    def find_class(self, module: str, name: str) -> type:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from an untrusted pickle")
        return type(name, (Placeholder,), {"qualname": f"{module}.{name}"})

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("refusing a persistent reference (tensor storage) in an untrusted pickle")


def load_zipped_pickle(path: Path, allowed: Iterable[tuple[str, str]] = ()) -> Any:
    """The object in a PyTorch-style zip archive's `<name>/data.pkl`, read with `RestrictedUnpickler`."""
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if info.filename.endswith("/data.pkl")]
        if len(members) != 1:
            raise pickle.UnpicklingError(f"{path}: expected one */data.pkl member, found {len(members)}")
        if members[0].file_size > MAX_PICKLE_BYTES:
            raise pickle.UnpicklingError(f"{path}: pickle member is {members[0].file_size} bytes, over the {MAX_PICKLE_BYTES} limit")
        data = archive.read(members[0])
    return RestrictedUnpickler(io.BytesIO(data), allowed).load()
