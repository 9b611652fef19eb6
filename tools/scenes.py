"""Compose benchmark scenes with exact ground truth: real people, cut from real photos, walking behind occluders.

People are cut (as their detection boxes) from real photographs that ship offline: Ultralytics' ``bus.jpg`` and
``zidane.jpg`` and OpenCV's sample images (Debian ``opencv-doc``). They walk across a real background photo at their own
speed, pass behind textured pillars and in front of or behind each other (nearer = lower in the image = in front). The
ground truth is exact: every person's full box, with visibility; boxes less than 25 % visible are marked ignored
(MOTChallenge conf 0). Scenes are written in MOTChallenge layout (``img1/``, ``gt/gt.txt``, ``seqinfo.ini``).

PETS09-S2L1 is the development sequence; these scenes come in a dev split and a test split with different
backgrounds, people subsets and seeds, so that nothing is tuned on the scenes it is reported on.

    .venv/bin/python tools/scenes.py --out runs/data   # writes runs/data/SYN-{dev,test}-{density}
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets import AssetError, person_detector  # noqa: E402

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
PEOPLE_SOURCES = ("bus.jpg", "zidane.jpg", "messi5.jpg", "basketball1.png", "basketball2.png")
W, H, FPS = 768, 576, 10
SPLITS = {  # background photo, seed offset, people subset parity, crowd densities
    "dev": ("building.jpg", 0, 0, (4, 8)),
    "test": ("home.jpg", 100, 1, (4, 8, 12)),
}


def source_image(name: str) -> np.ndarray:
    """A real photo from Ultralytics' assets or OpenCV's sample data."""
    from ultralytics.utils import ASSETS

    path = ASSETS / name if (ASSETS / name).exists() else OPENCV_DATA / name
    img = cv2.imread(str(path))
    if img is None:
        raise AssetError(f"{path} is missing (Ultralytics assets, or Debian's opencv-doc for OpenCV samples)")
    return img


def cut_people(min_height: int = 80) -> list[np.ndarray]:
    """Crops of the people the offline person detector finds in the source photos (confident, not cut off)."""
    from ultralytics import YOLO

    model = YOLO(str(person_detector()))
    crops = []
    for name in PEOPLE_SOURCES:
        img = source_image(name)
        r = model.predict(img, conf=0.3, verbose=False)[0]
        for x1, y1, x2, y2 in r.boxes.xyxy.int().tolist():
            if y2 - y1 >= min_height and (y2 - y1) > 1.1 * (x2 - x1):
                crops.append(img[y1:y2, x1:x2].copy())
    if len(crops) < 6:
        raise AssetError(f"only {len(crops)} people found in {PEOPLE_SOURCES}")
    return crops


def compose(
    out: Path, name: str, background: str, crops: list[np.ndarray], n_people: int, seed: int, frames: int = 300
) -> Path:
    """Write one scene: ``n_people`` walkers (re-entering after they leave), two pillars, exact ground truth."""
    from ultralytics.trackers.eval import write_seqinfo

    rng = np.random.default_rng(seed)
    bg = cv2.resize(source_image(background), (W, H))
    pillars = []  # (x1, x2, texture)
    texture = cv2.resize(source_image("board.jpg"), (W, H))
    for x in rng.choice(np.arange(120, W - 160, 40), size=2, replace=False):
        width = int(rng.integers(50, 90))
        pillars.append((int(x), int(x) + width, texture[:, int(x) : int(x) + width]))
    walkers = []
    for i in range(n_people):
        crop = crops[int(rng.integers(len(crops)))]
        height = int(rng.integers(140, 230))
        person = cv2.resize(crop, (max(8, int(crop.shape[1] * height / crop.shape[0])), height))
        direction = 1 if rng.random() < 0.5 else -1
        speed = float(rng.uniform(2.0, 5.0)) * direction
        foot = float(rng.uniform(0.55, 0.98)) * H  # ground line: lower is nearer
        start = float(rng.uniform(-0.3, 1.3)) * W
        walkers.append({"id": i + 1, "img": person, "x": start, "speed": speed, "foot": foot})
    seq = out / name
    (seq / "img1").mkdir(parents=True, exist_ok=True)
    (seq / "gt").mkdir(exist_ok=True)
    gt_lines = []
    for f in range(1, frames + 1):
        frame = bg.copy()
        cover = np.zeros((H, W), np.int32)  # id of the front-most person per pixel
        boxes = {}
        for w in sorted(walkers, key=lambda w: w["foot"]):  # far to near
            w["x"] += w["speed"]
            pw = w["img"].shape[1]
            if w["x"] < -pw - 40 or w["x"] > W + 40:  # left the scene: re-enter from the other side later
                w["x"] = W + 30 if w["speed"] < 0 else -pw - 30
            x1, y2 = int(round(w["x"])), int(round(w["foot"]))
            y1, x2 = y2 - w["img"].shape[0], x1 + pw
            cx1, cy1, cx2, cy2 = max(x1, 0), max(y1, 0), min(x2, W), min(y2, H)
            if cx2 - cx1 < 4 or cy2 - cy1 < 4:
                continue
            frame[cy1:cy2, cx1:cx2] = w["img"][cy1 - y1 : cy2 - y1, cx1 - x1 : cx2 - x1]
            cover[cy1:cy2, cx1:cx2] = w["id"]
            boxes[w["id"]] = (cx1, cy1, cx2, cy2)
        for px1, px2, tex in pillars:  # pillars stand in front of everyone
            frame[:, px1:px2] = tex
            cover[:, px1:px2] = 0
        for pid, (x1, y1, x2, y2) in boxes.items():
            visible = float((cover[y1:y2, x1:x2] == pid).mean())
            conf = 1 if visible >= 0.25 else 0
            gt_lines.append(f"{f},{pid},{x1},{y1},{x2 - x1},{y2 - y1},{conf},1,{visible:.3f}\n")
        cv2.imwrite(str(seq / "img1" / f"{f:06d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
    (seq / "gt" / "gt.txt").write_text("".join(gt_lines))
    write_seqinfo(seq, name, frames, FPS, W, H)
    return seq


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("runs/data"))
    p.add_argument("--frames", type=int, default=300)
    a = p.parse_args(argv)
    crops = cut_people()
    for split, (background, seed, parity, densities) in SPLITS.items():
        people = [c for i, c in enumerate(crops) if i % 2 == parity] or crops
        for n in densities:
            seq = compose(a.out, f"SYN-{split}-{n:02d}", background, people, n, seed + n, a.frames)
            print(seq)
    return 0


if __name__ == "__main__":
    sys.exit(main())
