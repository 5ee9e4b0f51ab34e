"""Unpacking a zipped campaign folder a client uploaded, without trusting anything in it.

A zip names its own paths and claims its own sizes, so before a byte is written every entry is
checked: a relative path of plain names (no `..`, no absolute path or drive, no backslash, no empty
or dot component, no control character), not a symlink or any other special file, not encrypted,
not named twice; at most `MAX_ENTRIES` entries. Sizes are counted as the bytes are inflated — never
taken from the headers — and bounded per file, in total, and in ratio to the compressed size, so a
zip bomb stops at the bound instead of filling the disk. Files are written only under the folder
given, by names built from the checked components.

The campaign file inside may still name paths outside the folder (`criteria_set = "/etc/…"`, a
`..` in a data path): `transfer.import_campaign(…, within=folder)` refuses every file the campaign
reads that resolves outside it.
"""

from __future__ import annotations

import io
import stat
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from parrules import Problem, ProblemsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MAX_ENTRIES = 20_000
MAX_NAME = 400
MAX_RATIO = 200  # inflated bytes per compressed byte: text compresses ~10×; a bomb, ~1000×


@dataclass(frozen=True)
class Limits:
    """How much an upload may inflate to: per file, in total."""

    file_bytes: int = 64 * 1024 * 1024
    total_bytes: int = 256 * 1024 * 1024


def _refused(name: str, message: str, hint: str | None = None) -> ProblemsError:
    return ProblemsError([Problem("campaign.zip", name, message, hint=hint, code="unsafe_archive")])


def safe_parts(name: str) -> tuple[str, ...]:
    """The components of an entry's name, or a refusal saying what is wrong with it."""
    shown = name[:120]
    if not name or len(name) > MAX_NAME:
        raise _refused(shown, "an entry's name is empty or too long")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name) or "\\" in name:
        raise _refused(shown, "an entry's name holds a control character or a backslash")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise _refused(shown, "an entry's path is absolute", hint="zip the campaign folder with relative paths")
    parts = PurePosixPath(name).parts
    raw = name.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in raw):
        raise _refused(shown, "an entry's path goes up (..) or has an empty part")
    return tuple(parts)


def unpack(content: bytes, folder: Path, limits: Limits = Limits()) -> list[Path]:
    """Write the zip's files under `folder` (which must exist); the files written. `ProblemsError`
    (file `campaign.zip`, the entry's name as the key) for the first thing refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refused("", f"not a zip file ({exc})") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise _refused("", f"more than {MAX_ENTRIES} entries")
        seen: set[tuple[str, ...]] = set()
        plan: list[tuple[zipfile.ZipInfo, tuple[str, ...]]] = []
        for info in entries:
            parts = safe_parts(info.filename)
            mode = info.external_attr >> 16
            kind = stat.S_IFMT(mode)  # 0 when the zip gives permissions only
            if info.create_system == 3 and kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise _refused(info.filename[:120], "a symbolic link or special file is not a campaign file")
            if info.flag_bits & 0x1:
                raise _refused(info.filename[:120], "an encrypted entry")
            key = tuple(p.casefold() for p in parts)
            if key in seen:
                raise _refused(info.filename[:120], "two entries with the same name")
            seen.add(key)
            if not info.is_dir():
                plan.append((info, parts))
        root = folder.resolve()
        written: list[Path] = []
        total = 0
        for info, parts in plan:
            target = root.joinpath(*parts)
            if root not in target.resolve().parents:
                raise _refused(info.filename[:120], "an entry would be written outside the campaign folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            allowed = min(limits.file_bytes, max(info.compress_size, 1) * MAX_RATIO + 64 * 1024)
            size = 0
            try:
                with archive.open(info) as source, open(target, "xb") as sink:
                    while block := source.read(1 << 16):
                        size += len(block)
                        total += len(block)
                        if size > allowed:
                            raise _refused(info.filename[:120], "inflates past its bound (a zip bomb?)",
                                           hint=f"a file is at most {limits.file_bytes} bytes")
                        if total > limits.total_bytes:
                            raise _refused(info.filename[:120], f"the archive inflates past {limits.total_bytes} bytes")
                        sink.write(block)
            except FileExistsError:
                raise _refused(info.filename[:120], "an entry clashes with another one") from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
                raise _refused(info.filename[:120], f"cannot be read ({type(exc).__name__}: {exc})") from None
            written.append(target)
        return written


def campaign_file(folder: Path, files: list[Path]) -> Path:
    """The one `campaign.toml` of the upload: at its top, or in its one top folder."""
    found = [f for f in files if f.name == "campaign.toml" and len(f.relative_to(folder.resolve()).parts) <= 2]
    if len(found) != 1:
        raise ProblemsError([Problem("campaign.zip", "campaign.toml",
                                     "the zip holds no campaign.toml at its top (or in its one folder)" if not found
                                     else "the zip holds more than one campaign.toml at its top",
                                     hint="zip the folder of one campaign (GET /campaigns/{c}/export gives one)",
                                     code="no_campaign_file")])
    return found[0]


def inside(path: Path, folder: Path) -> bool:
    resolved, root = path.resolve(), folder.resolve()
    return resolved == root or root in resolved.parents


def confine(campaign: Path, folder: Path) -> None:
    """Refuse, before the library reads anything, a campaign file of the upload that names a file
    outside the upload (its set, submissions, data, last year's results, mapping), or a set that
    extends another file."""
    try:
        data = tomllib.loads(campaign.read_text("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return  # the library says what is wrong with it, with the line
    spec = data.get("campaign") if isinstance(data, dict) else None
    if not isinstance(spec, dict):
        return
    named: list[tuple[str, object]] = [(key, spec.get(key)) for key in ("criteria_set", "previous_results",
                                                                         "code_mapping")]
    submissions = spec.get("submissions")
    named += [(f"submissions[{i}]", v) for i, v in enumerate(submissions)] if isinstance(submissions, list) else \
        [("submissions", submissions)]
    files = spec.get("data")
    if isinstance(files, dict):
        named += [(f"data.{k}", v) for k, v in files.items()]
    for key, value in named:
        if isinstance(value, str) and not inside(campaign.parent / value, folder):
            raise ProblemsError([Problem("campaign.toml", f"campaign.{key}", "names a file outside the uploaded "
                                         "folder", hint="every file of an uploaded campaign is inside its zip",
                                         code="outside_upload")])
    criteria = spec.get("criteria_set")
    if isinstance(criteria, str) and (campaign.parent / criteria).is_file():
        try:
            text = (campaign.parent / criteria).read_text("utf-8-sig")
            extends = "extends" in tomllib.loads(text)
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            extends = False
        if extends:
            raise ProblemsError([Problem(criteria, "extends", "a set uploaded to the service cannot extend another "
                                         "file", hint="upload the resolved set: parrules show SET --resolved",
                                         code="extends_refused")])
