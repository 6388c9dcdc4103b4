"""From the folders a person names (in the CLI or the app) to the root-relative folders of
path scans, checked against the configured roots before any run starts."""

from __future__ import annotations

from collections.abc import Sequence

from mediavault_assets.domain.scan_modes import ScanRequestError, locate_folder, parse_scan_request
from mediavault_assets.settings import Settings


def folders_by_root(settings: Settings, paths: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Root key → folders to scan in it; a root named whole scans whole (no folders).

    A path is absolute: local, or under the root's NAS path. Raises ScanRequestError for a
    path outside every root or not a folder there.
    """
    bases = {root.key: (str(root.path), root.nas_path or "") for root in settings.library_roots}
    found: dict[str, list[str]] = {}
    whole: set[str] = set()
    for path in paths:
        key, folder = locate_folder(path, bases)
        if not (settings.root(key).path / folder).is_dir():
            raise ScanRequestError(f"{path} is not a folder in library root '{key}'")
        if folder:
            found.setdefault(key, []).append(folder)
        else:
            whole.add(key)
    chosen = {key: parse_scan_request(None, folders).folders for key, folders in found.items()}
    return {**chosen, **{key: () for key in whole}}
