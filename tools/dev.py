#!/usr/bin/env python3
"""One-command set-up for ultralytics-reid developers and CI: virtual environment, wheel, then tests or the demo.

    python3 tools/dev.py test [PYTEST_ARGS...]   # venv + pinned deps, build the wheel, install it, run the tests
    python3 tools/dev.py demo [DEMO_ARGS...]     # venv + wheel + offline assets, then track people in a real clip

The venv is ``.venv`` (or $ULTRALYTICS_REID_VENV). Every step is idempotent; a fresh machine needs only Python 3.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("ULTRALYTICS_REID_VENV", ROOT / ".venv"))
PY = VENV / "bin" / "python"
DIST = ROOT / "dist"


def step(msg: str) -> None:
    """Announce a step."""
    print(f"\n==> {msg}", flush=True)


def run(*cmd: str | Path, **kwargs) -> None:
    """Run a command, echoing it; stop on failure."""
    print("$ " + " ".join(str(c) for c in cmd), flush=True)
    r = subprocess.run([str(c) for c in cmd], **kwargs)
    if r.returncode:
        sys.exit(r.returncode)


def ensure_venv() -> None:
    """Create the venv and install the pinned tools (torch, pytest, build, ruff); a no-op when they are there."""
    if not PY.exists():
        step(f"creating virtual environment {VENV}")
        run(sys.executable, "-m", "venv", VENV)
    step("installing pinned development dependencies (requirements/dev.txt)")
    run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", ROOT / "requirements/dev.txt")


def build_and_install() -> Path:
    """Build sdist + wheel (the wheel from the sdist) with `python -m build`; install the wheel into the venv."""
    step("building ultralytics-reid (python -m build: sdist, then the wheel from it)")
    shutil.rmtree(DIST, ignore_errors=True)
    run(PY, "-m", "build", "--outdir", DIST, ROOT)
    wheel = next(DIST.glob("ultralytics_reid-*-py3-none-any.whl"))
    step(f"installing {wheel.name} with its dependencies")
    run(PY, "-m", "pip", "uninstall", "--disable-pip-version-check", "-q", "-y", "ultralytics-reid", "ultralytics")
    run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", wheel)
    run(VENV / "bin" / "yolo", "version")
    return wheel


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


def cmd_test(args: list[str]) -> None:
    """Set up, then run the test suite against the installed wheel."""
    ensure_venv()
    ensure_assets()
    build_and_install()
    step("running the tests against the installed wheel")
    # The venv's pytest executable (not `python -m pytest`) keeps the checkout root off sys.path.
    run(VENV / "bin" / "pytest", *(args or ["tests"]), cwd=ROOT)


def cmd_demo(args: list[str]) -> None:
    """Set up, then run the demo: track people in a real clip, offline."""
    ensure_venv()
    ensure_assets()
    build_and_install()
    step("running the demo")
    run(PY, ROOT / "tools/demo.py", *args, cwd=ROOT)


def main() -> None:
    """Entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["test", "demo"], help="test: run the test suite; demo: run the demo")
    p.add_argument("args", nargs=argparse.REMAINDER, help="passed on to pytest or to tools/demo.py")
    a = p.parse_args()
    {"test": cmd_test, "demo": cmd_demo}[a.command](a.args)


if __name__ == "__main__":
    main()
