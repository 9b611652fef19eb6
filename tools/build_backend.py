"""PEP 517 build backend of ultralytics-reid: materialize upstream + patch series + overlay, then build with setuptools.

``pip install .``, ``pip wheel .`` and ``python -m build`` call this (``[build-system]`` in ``pyproject.toml``). The
wheel is built by setuptools from a staging directory holding the materialized tree, this project's
``pyproject.toml`` and ``README.md``, and upstream's ``LICENSE``. The sdist holds only this project's files (patches,
overlay, tools, tests, docs); building a wheel from it downloads and verifies the pinned upstream sdist again.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from setuptools import build_meta as setuptools_backend

import pq

OWN_FILES = ("pyproject.toml", "README.md", "CHANGELOG.md")
OWN_DIRS = ("tools", "patches", "overlay", "tests", "docs")


def _stage(tmp: str) -> Path:
    """Materialize the fork in a new staging directory laid out for setuptools."""
    project = pq.Project(Path.cwd())
    stage = Path(tmp) / "stage"
    pq.materialize(project, stage, queue=False)
    for name in ("pyproject.toml", "README.md"):  # our metadata, not upstream's
        shutil.copy2(project.root / name, stage / name)
    (stage / "MANIFEST.in").unlink(missing_ok=True)
    return stage


def _in_stage(hook: str, directory: str, *args) -> str:
    """Run a setuptools hook inside a fresh staging directory; return what it returns."""
    out = str(Path(directory).resolve())
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="ultralytics-reid-build-") as tmp:
        stage = _stage(tmp)
        os.chdir(stage)
        try:
            return getattr(setuptools_backend, hook)(out, *args)
        finally:
            os.chdir(cwd)


def get_requires_for_build_wheel(config_settings: dict | None = None) -> list[str]:
    """Requirements beyond ``[build-system] requires``: none."""
    return []


def get_requires_for_build_sdist(config_settings: dict | None = None) -> list[str]:
    """Requirements beyond ``[build-system] requires``: none."""
    return []


def build_wheel(
    wheel_directory: str, config_settings: dict | None = None, metadata_directory: str | None = None
) -> str:
    """Build ``ultralytics_reid-<version>-py3-none-any.whl`` into ``wheel_directory``; return its file name."""
    return _in_stage("build_wheel", wheel_directory, config_settings)


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: dict | None = None) -> str:
    """Write the wheel's ``.dist-info`` metadata into ``metadata_directory``; return its directory name."""
    return _in_stage("prepare_metadata_for_build_wheel", metadata_directory, config_settings)


def _sdist_files(root: Path) -> Iterator[Path]:
    """This project's files that go into its sdist (never upstream's: those are downloaded at build time)."""
    for name in OWN_FILES:
        if (root / name).is_file():
            yield root / name
    for folder in OWN_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
                yield path


def build_sdist(sdist_directory: str, config_settings: dict | None = None) -> str:
    """Build ``ultralytics_reid-<version>.tar.gz``: patches, overlay and tools, from which a wheel builds."""
    root = Path.cwd()
    version = pq.Project(root).pin().fork_version
    base = f"ultralytics_reid-{version}"
    pkg_info = (
        "Metadata-Version: 2.1\n"
        "Name: ultralytics-reid\n"
        f"Version: {version}\n"
        "Summary: Ultralytics YOLO fork with native re-identification (ReID) for multi-object tracking\n"
        "License-Expression: AGPL-3.0-or-later\n"
    ).encode()
    target = Path(sdist_directory) / f"{base}.tar.gz"
    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size, info.mode = len(pkg_info), 0o644
        tar.addfile(info, io.BytesIO(pkg_info))
        for path in _sdist_files(root):
            tar.add(path, f"{base}/{path.relative_to(root).as_posix()}", recursive=False)
    return target.name
