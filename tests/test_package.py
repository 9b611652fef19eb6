"""The installed ultralytics-reid wheel: identity, metadata, CLI, update notice, side-by-side warning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest

import ultralytics
from ultralytics.utils import checks

BIN = Path(sysconfig.get_paths()["scripts"])


def test_version_carries_upstream_version_and_series_revision(pin):
    """ultralytics.__version__ is the PEP 440 post-release <upstream>.post<revision>, equal to the dist version."""
    from ultralytics._fork import DISTRIBUTION, UPSTREAM_VERSION

    assert ultralytics.__version__ == f"{pin.version}.post{pin.revision}"
    assert UPSTREAM_VERSION == pin.version
    assert DISTRIBUTION == "ultralytics-reid"
    assert metadata.version("ultralytics-reid") == ultralytics.__version__


def test_installed_from_a_wheel_with_upstream_runtime_dependencies():
    """The dist was installed from ultralytics_reid-*-py3-none-any.whl and declares upstream's deps plus lap/scipy."""
    dist = metadata.distribution("ultralytics-reid")
    assert "Root-Is-Purelib: true" in dist.read_text("WHEEL")
    direct_url = dist.read_text("direct_url.json")
    if direct_url:  # pip records where the wheel came from
        url = json.loads(direct_url)["url"]
        assert url.endswith(f"ultralytics_reid-{dist.version}-py3-none-any.whl"), url
    names = {r.split(";")[0].split(">")[0].split("=")[0].split("!")[0].strip().lower() for r in dist.requires or []}
    for name in ("torch", "torchvision", "numpy", "opencv-python", "pyyaml", "scipy", "lap", "matplotlib", "pillow"):
        assert name in names
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"yolo": "ultralytics.cfg:entrypoint", "ultralytics": "ultralytics.cfg:entrypoint"}


def test_package_data_is_installed():
    """Tracker configs, model YAMLs and assets ship in the wheel."""
    pkg = Path(ultralytics.__file__).parent
    for rel in (
        "cfg/default.yaml",
        "cfg/trackers/botsort.yaml",
        "cfg/trackers/bytetrack.yaml",
        "cfg/models/26/yolo26.yaml",
        "assets/bus.jpg",
        "_fork.py",
        "utils/fork.py",
    ):
        assert (pkg / rel).is_file(), rel


def yolo(*args: str, env: dict | None = None) -> str:
    """Run the installed `yolo` console script; return stdout + stderr."""
    r = subprocess.run([str(BIN / "yolo"), *args], capture_output=True, text=True, env={**os.environ, **(env or {})})
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def test_yolo_version_names_fork_and_upstream_base(pin):
    """`yolo version` prints the fork version first, then names the fork and the upstream release."""
    out = yolo("version").strip().splitlines()[-1]
    assert out == f"{pin.version}.post{pin.revision} (ultralytics-reid, based on Ultralytics {pin.version})"


def test_yolo_checks_names_fork_and_upstream_base(pin):
    """`yolo checks` has a Fork row and lists ultralytics-reid's requirements."""
    out = yolo("checks")
    assert (
        f"Fork                   ultralytics-reid {pin.version}.post{pin.revision}, based on Ultralytics {pin.version}"
        in out
    )
    assert "lap" in out and "scipy" in out


@pytest.mark.parametrize(
    "latest, expected",
    [("99.0.0", True), ("{upstream}.post99", True), ("{version}", False), (None, False)],
)
def test_update_notice_points_to_the_fork_never_to_upstream(monkeypatch, pin, latest, expected):
    """The "new version available" notice asks PyPI about ultralytics-reid and says to update ultralytics-reid."""
    asked, logged = [], []
    latest = latest and latest.format(upstream=pin.version, version=ultralytics.__version__)

    def latest_on_pypi(package_name="ultralytics"):  # the network call only; the logic under test is real
        asked.append(package_name)
        return latest

    monkeypatch.setattr(checks, "ONLINE", True)
    monkeypatch.setattr(checks, "IS_PIP_PACKAGE", True)
    monkeypatch.setattr(checks, "check_latest_pypi_version", latest_on_pypi)
    monkeypatch.setattr(checks.LOGGER, "info", logged.append)
    assert checks.check_pip_update_available() is expected
    assert asked == ["ultralytics-reid"]
    if expected:
        assert logged == [
            f"New https://pypi.org/project/ultralytics-reid/{latest} available 😃 "
            "Update with 'pip install -U ultralytics-reid'"
        ]
    else:
        assert logged == []


def import_output(cwd: Path, extra_path: Path | None = None) -> str:
    """Stderr + stdout of a fresh `import ultralytics` run in ``cwd``, optionally with an extra sys.path entry."""
    env = {**os.environ, "PYTHONPATH": str(extra_path) if extra_path else ""}
    r = subprocess.run([sys.executable, "-c", "import ultralytics"], capture_output=True, text=True, env=env, cwd=cwd)
    assert r.returncode == 0, r.stderr
    return r.stdout + r.stderr


def test_no_side_by_side_warning_on_a_clean_install(tmp_path: Path):
    """Only ultralytics-reid installed: import is silent about distributions."""
    assert "are installed" not in import_output(tmp_path)


def test_side_by_side_with_upstream_warns_once_with_the_fix(tmp_path: Path):
    """Upstream's dist-info beside the fork's makes import print one warning naming both and the fix.

    That is the state after `pip install ultralytics` then `pip install ultralytics-reid`.
    """
    info = tmp_path / "ultralytics-8.4.190.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ultralytics\nVersion: 8.4.190\n")
    out = import_output(tmp_path, extra_path=tmp_path)
    assert out.count("are installed") == 1
    assert "'ultralytics' 8.4.190 and 'ultralytics-reid'" in out
    assert "pip uninstall -y ultralytics ultralytics-reid && pip install ultralytics-reid" in out
