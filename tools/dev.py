#!/usr/bin/env python3
"""One-command set-up for ultralytics-reid developers and CI: virtual environment, wheel, then tests or the demo.

    python3 tools/dev.py test [PYTEST_ARGS...]   # venv + pinned deps, build the wheel, install it, run the tests
    python3 tools/dev.py demo [DEMO_ARGS...]     # venv + wheel + offline assets, then track people in a real clip

The venv is ``.venv`` (or $ULTRALYTICS_REID_VENV). Every step is idempotent and skipped when its inputs did not
change: the pinned dependencies are installed again only when requirements/dev.txt changed, and the wheel is rebuilt
and reinstalled only when what it is built from changed (patches, overlay, pin, build tooling, pyproject, README) or
with ``--rebuild``. Build output goes to ``.venv/build.log``. A fresh machine needs only Python 3.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("ULTRALYTICS_REID_VENV", ROOT / ".venv"))
PY = VENV / "bin" / "python"
DIST = ROOT / "dist"
BUILD_LOG = VENV / "build.log"
REQUIREMENTS = ROOT / "requirements/dev.txt"
# What the wheel is built from: a change to any of these rebuilds it.
WHEEL_INPUTS = (
    "pyproject.toml",
    "README.md",
    "patches",
    "overlay",
    "tools/build_backend.py",
    "tools/pq.py",
    "tools/patchqueue",
)


def step(msg: str) -> None:
    """Announce a step."""
    print(f"\n==> {msg}", flush=True)


def run(*cmd: str | Path, **kwargs) -> None:
    """Run a command, echoing it; stop on failure."""
    print("$ " + " ".join(str(c) for c in cmd), flush=True)
    r = subprocess.run([str(c) for c in cmd], **kwargs)
    if r.returncode:
        sys.exit(r.returncode)


def digest(*paths: Path) -> str:
    """sha256 over the names and contents of files and of the files under folders (caches left out)."""
    h = hashlib.sha256()
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for f in files:
            h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def stamp(name: str) -> Path:
    """The file in the venv that records the inputs of a finished step."""
    return VENV / f".ultralytics-reid-{name}"


def ensure_venv() -> None:
    """Create the venv and install the pinned tools (torch, pytest, build, ruff); skipped when they are there."""
    if not PY.exists():
        step(f"creating virtual environment {VENV}")
        run(sys.executable, "-m", "venv", VENV)
    wanted = digest(REQUIREMENTS)
    if stamp("requirements").is_file() and stamp("requirements").read_text() == wanted:
        print(f"==> pinned development dependencies are installed ({REQUIREMENTS.relative_to(ROOT)} unchanged)")
        return
    step("installing pinned development dependencies (requirements/dev.txt)")
    run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", REQUIREMENTS)
    stamp("requirements").write_text(wanted)


def build_and_install(rebuild: bool = False) -> None:
    """Build sdist + wheel (the wheel from the sdist) with `python -m build` and install the wheel into the venv.

    Skipped when the installed wheel was built from the same inputs (``WHEEL_INPUTS``), unless ``rebuild``.
    """
    wanted = digest(*(ROOT / p for p in WHEEL_INPUTS))
    installed = list(VENV.glob("lib/python*/site-packages/ultralytics_reid-*.dist-info"))
    if not rebuild and installed and stamp("wheel").is_file() and stamp("wheel").read_text() == wanted:
        print(f"==> {installed[0].name.removesuffix('.dist-info')} is installed and up to date (no input changed)")
        return
    step(f"building ultralytics-reid with python -m build (sdist, then the wheel from it; log: {BUILD_LOG})")
    shutil.rmtree(DIST, ignore_errors=True)
    stamp("wheel").unlink(missing_ok=True)
    with open(BUILD_LOG, "w") as log:
        r = subprocess.run(
            [str(PY), "-m", "build", "--outdir", str(DIST), str(ROOT)], stdout=log, stderr=subprocess.STDOUT
        )
    if r.returncode:
        tail = BUILD_LOG.read_text(errors="replace").splitlines()[-40:]
        print("\n".join(tail) + f"\ndev.py: the build failed (exit {r.returncode}); the whole log is {BUILD_LOG}")
        sys.exit(r.returncode)
    wheel = next(DIST.glob("ultralytics_reid-*-py3-none-any.whl"))
    print(f"built {wheel.name} ({wheel.stat().st_size / 1e6:.1f} MB)")
    step(f"installing {wheel.name} with its dependencies")
    run(PY, "-m", "pip", "uninstall", "--disable-pip-version-check", "-q", "-y", "ultralytics-reid", "ultralytics")
    run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", wheel)
    run(VENV / "bin" / "yolo", "version")
    stamp("wheel").write_text(wanted)


def ensure_assets() -> None:
    """Fetch the offline person detector and the PETS09 clip (Debian opencv-doc, installed when run as root)."""
    step("fetching offline assets (person detector, PETS09-S2L1 clip and OpenCV sample photos)")
    sys.path.insert(0, str(ROOT / "tools"))
    import assets

    try:
        print(assets.person_detector())
        print(assets.pets09_clip())
    except assets.AssetError as e:
        sys.exit(f"dev.py: {e}")


def cmd_test(args: list[str], rebuild: bool = False) -> None:
    """Set up, then run the test suite against the installed wheel."""
    ensure_venv()
    ensure_assets()
    build_and_install(rebuild)
    step("running the tests against the installed wheel")
    # The venv's pytest executable (not `python -m pytest`) keeps the checkout root off sys.path.
    run(VENV / "bin" / "pytest", *(args or ["tests"]), cwd=ROOT)


def cmd_demo(args: list[str], rebuild: bool = False) -> None:
    """Set up, then run the demo: track people in a real clip, offline."""
    ensure_venv()
    ensure_assets()
    build_and_install(rebuild)
    step("running the demo")
    run(PY, ROOT / "tools/demo.py", *args, cwd=ROOT)


def main() -> None:
    """Entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rebuild", action="store_true", help="rebuild and reinstall the wheel even if no input changed")
    p.add_argument("command", choices=["test", "demo"], help="test: run the test suite; demo: run the demo")
    p.add_argument("args", nargs=argparse.REMAINDER, help="passed on to pytest or to tools/demo.py")
    a = p.parse_args()
    {"test": cmd_test, "demo": cmd_demo}[a.command](a.args, a.rebuild)


if __name__ == "__main__":
    main()
