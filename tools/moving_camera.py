"""Moving-camera versions of MOTChallenge sequences, with the exact camera motion, and a GMC accuracy benchmark.

Our real footage comes from static cameras, so it cannot tell how well BoT-SORT's global motion compensation (GMC)
follows a moving one. ``make`` films a sequence again with a virtual camera that pans, zooms, rolls a little and shakes
like a hand-held one, optionally with motion blur (``--blur``): every output frame is a known similarity warp of the
real frame (blurred: an average of such warps over the exposure), the ground truth boxes are warped with it (boxes
mostly out of view are marked ignored, MOTChallenge conf 0) and the warps are written to ``camera.txt``.
``gmc`` then runs each GMC method over such sequences and reports how far its frame-to-frame warp is from the true one
(endpoint error over a grid of image points, in pixels) and what it costs per frame (median and mean of `apply`), and
for 'sparseOptFlow' also what it adds to a frame's latency in `model.track` (mean and largest `apply` with the flow
started 20 ms ahead, `GMC.prefetch`, as while a detector infers; the warps must be the same); the ground truth boxes
stand in for the detections a tracker passes to GMC. OpenCV runs single-threaded, as Ultralytics sets it at import.

    .venv/bin/python tools/moving_camera.py make --seq runs/data/PETS09-S2L1 --out runs/data   # -> PETS09-S2L1-CAM
    .venv/bin/python tools/moving_camera.py gmc --seqs runs/data/*-CAM --methods none sparseOptFlow --out runs/bench/gmc
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

GMC_METHODS = ("none", "sparseOptFlow", "orb", "sift", "ecc")
ZOOM = 1.4  # the virtual camera sees 1/ZOOM of the real frame, so its view never leaves the real image


def camera_path(length: int, width: int, height: int, seed: int = 0, speed: float = 1.0) -> np.ndarray:
    """Per-frame 3x3 similarity warps (real frame -> output frame): slow pan and zoom, a small roll, hand-held shake.

    Args:
        length (int): Number of frames.
        width (int): Frame width in pixels.
        height (int): Frame height in pixels.
        seed (int): Seed of the path's phases and shake.
        speed (float): How much faster than the default path the camera moves (its periods are divided by it).

    Returns:
        (np.ndarray): Warps with shape (length, 3, 3).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float64)

    def wave(periods: tuple[int, ...]) -> np.ndarray:
        """Sum of slow sines in [-1, 1] with random phases."""
        w = sum(np.sin(2 * np.pi * t * speed / p + rng.uniform(0, 2 * np.pi)) for p in periods)
        return w / len(periods)

    zoom = ZOOM + 0.1 * wave((240, 170))  # 1.3 .. 1.5
    angle = np.deg2rad(2.0) * wave((300, 130))  # roll within +-2 degrees
    margin_x = (1 - 1 / zoom) * width / 2 - 0.04 * height  # room to pan left/right without leaving the frame
    margin_y = (1 - 1 / zoom) * height / 2 - 0.04 * width
    shake = rng.normal(0, 1.5, (length, 2))  # px, hand-held
    cx = width / 2 + np.clip(0.9 * margin_x * wave((150, 60, 30)) + shake[:, 0], -margin_x, margin_x)
    cy = height / 2 + np.clip(0.9 * margin_y * wave((200, 70)) + shake[:, 1], -margin_y, margin_y)
    warps = np.zeros((length, 3, 3))
    for i in range(length):  # look at (cx, cy) of the real frame, magnified by zoom and rolled by angle
        c, s = zoom[i] * np.cos(angle[i]), zoom[i] * np.sin(angle[i])
        rot = np.array([[c, -s], [s, c]])
        warps[i, :2, :2] = rot
        warps[i, :2, 2] = np.array([width / 2, height / 2]) - rot @ np.array([cx[i], cy[i]])
        warps[i, 2, 2] = 1
    return warps


def warp_gt(lines: list[str], warps: np.ndarray, width: int, height: int) -> list[str]:
    """Ground truth rows warped into the moving camera's frames; boxes less than 25 % in view get conf 0 (ignored)."""
    out = []
    for line in lines:
        v = line.strip().split(",")
        if len(v) < 6:
            continue
        f, x, y, w, h = int(float(v[0])), *map(float, v[2:6])
        if not 1 <= f <= len(warps):
            continue
        corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]]) @ warps[f - 1][:2].T
        (x1, y1), (x2, y2) = corners.min(0), corners.max(0)
        area = (x2 - x1) * (y2 - y1)
        inside = max(0.0, min(x2, width) - max(x1, 0)) * max(0.0, min(y2, height) - max(y1, 0))
        conf = v[6] if len(v) > 6 and inside >= 0.25 * area else "0"
        rest = v[7:] if len(v) > 7 else ["1", "1"]
        out.append(",".join([v[0], v[1], f"{x1:.2f}", f"{y1:.2f}", f"{x2 - x1:.2f}", f"{y2 - y1:.2f}", conf, *rest]))
    return [s + "\n" for s in out]


def make(seq_dir: Path, out: Path, seed: int = 0, speed: float = 1.0, suffix: str = "CAM", blur: float = 0.0) -> Path:
    """Write ``<out>/<name>-<suffix>``: the sequence filmed by the virtual moving camera; return the folder.

    Args:
        seq_dir (Path): MOTChallenge sequence folder (seqinfo.ini, gt/gt.txt, frames).
        out (Path): Folder for the new sequence.
        seed (int): Seed of the camera path.
        speed (float): Camera speed relative to the default path.
        suffix (str): The new sequence is named ``<name>-<suffix>``.
        blur (float): Exposure time as a fraction of the frame interval: each frame averages the views of the camera
            moving during that time (motion blur); such a frame shows the scene where the camera was in the middle of
            its exposure, so that pose is what camera.txt records and the ground truth is warped with. 0: sharp frames.

    Returns:
        (Path): The new sequence folder.
    """
    from tqdm import tqdm

    from ultralytics.trackers.eval import Sequence, write_seqinfo

    seq = Sequence(seq_dir)
    dest = out / f"{seq.name}-{suffix}"
    (dest / "img1").mkdir(parents=True, exist_ok=True)
    (dest / "gt").mkdir(exist_ok=True)
    warps, shown, n, (height, width) = np.zeros((0, 3, 3)), np.zeros((0, 3, 3)), 0, (0, 0)
    for n, frame in enumerate(tqdm(seq.frames(), total=seq.length, desc=f"film {seq.name}", file=sys.stderr), 1):
        if n == 1:
            height, width = frame.shape[:2]
            warps = camera_path(seq.length, width, height, seed, speed)
            shown = warps.copy()  # the pose each frame shows
        if blur > 0 and n > 1:  # the shutter is open while the camera moves from (1 - blur) of the way to the pose
            prev, cur = warps[n - 2][:2], warps[n - 1][:2]
            steps = int(np.clip(np.abs(cur[:, 2] - prev[:, 2]).max() * blur, 2, 16))
            views = [
                cv2.warpAffine(frame, prev + (cur - prev) * t, (width, height)) for t in np.linspace(1 - blur, 1, steps)
            ]
            img = np.mean(views, axis=0).round().astype(np.uint8)
            shown[n - 1, :2] = prev + (cur - prev) * (1 - blur / 2)
        else:
            img = cv2.warpAffine(frame, warps[n - 1][:2], (width, height), flags=cv2.INTER_LINEAR)
        cv2.imwrite(str(dest / "img1" / f"{n:06d}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if n != seq.length:
        raise SystemExit(f"{seq_dir} has {n} frames, seqinfo.ini says {seq.length}")
    (dest / "gt" / "gt.txt").write_text("".join(warp_gt(seq.gt.read_text().splitlines(), shown, width, height)))
    np.savetxt(dest / "camera.txt", shown[:, :2].reshape(-1, 6), fmt="%.6f", header="a11 a12 a13 a21 a22 a23")
    write_seqinfo(dest, f"{seq.name}-{suffix}", seq.length, seq.fps, width, height)
    return dest


def gmc_error(seq: Path, method: str, grid: int = 8, detector_ms: float = 20.0) -> dict[str, float | None]:
    """Endpoint error (px) of a GMC method's frame-to-frame warp against the true one, and its ms per frame.

    The time is also taken as `model.track` spends it: for 'sparseOptFlow', a second estimator is given each frame
    `detector_ms` before its `apply` (`GMC.prefetch`, while a detector would infer), and only `apply` is timed, the
    time GMC adds to the frame's latency; its warps must be the same as the first one's.
    """
    from ultralytics.trackers.eval import Sequence
    from ultralytics.trackers.utils.gmc import GMC

    warps = np.loadtxt(seq / "camera.txt").reshape(-1, 2, 3)
    warps = np.concatenate([warps, np.tile([[[0, 0, 1]]], (len(warps), 1, 1))], 1)
    boxes: dict[int, list[list[float]]] = {}  # frame -> ground truth xyxy, standing in for the tracker's detections
    for row in np.loadtxt(seq / "gt" / "gt.txt", delimiter=",", ndmin=2):
        boxes.setdefault(int(row[0]), []).append([row[2], row[3], row[2] + row[4], row[3] + row[5]])
    gmc, errors, motion, ms = GMC(method=method), [], [], []
    ahead, ms_ahead = (GMC(method=method), []) if method == "sparseOptFlow" else (None, None)
    for i, frame in enumerate(Sequence(seq).frames()):
        detections = np.array(boxes.get(i + 1, np.zeros((0, 4))))
        t0 = time.perf_counter()
        h = gmc.apply(frame, detections)
        ms.append(1000 * (time.perf_counter() - t0))
        if ahead is not None:
            ahead.prefetch(frame)
            time.sleep(detector_ms / 1000)
            t0 = time.perf_counter()
            h_ahead = ahead.apply(frame, detections)
            ms_ahead.append(1000 * (time.perf_counter() - t0))
            if not np.array_equal(h_ahead, h):
                raise RuntimeError(f"{seq.name} frame {i + 1}: the warp started ahead differs")
        if i == 0:  # the grid of image points the errors are measured on
            xs, ys = np.meshgrid(np.linspace(0, frame.shape[1], grid), np.linspace(0, frame.shape[0], grid))
            pts = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)], 1)
            continue
        true = pts @ (warps[i] @ np.linalg.inv(warps[i - 1]))[:2].T
        errors.append(np.linalg.norm(pts @ h.T - true, axis=1).mean())
        motion.append(np.linalg.norm(pts[:, :2] - true, axis=1).mean())
    e = np.array(errors)
    return {
        "mean px": float(e.mean()),
        "p95 px": float(np.percentile(e, 95)),
        "max px": float(e.max()),
        "camera motion px": float(np.mean(motion)),
        "ms/frame": float(np.median(ms[1:])),
        "mean ms": float(np.mean(ms[1:])),
        "ahead mean ms": None if ms_ahead is None else float(np.mean(ms_ahead[1:])),
        "ahead max ms": None if ms_ahead is None else float(np.max(ms_ahead[1:])),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: ``make`` a moving-camera sequence, or benchmark ``gmc`` methods on such sequences."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("make", help="film a MOTChallenge sequence again with a virtual moving camera")
    s.add_argument("--seq", type=Path, required=True, help="sequence folder (seqinfo.ini, gt/gt.txt, frames)")
    s.add_argument("--out", type=Path, required=True, help="folder for the new <name>-CAM sequence")
    s.add_argument("--seed", type=int, default=0, help="seed of the camera path")
    s.add_argument("--speed", type=float, default=1.0, help="camera speed relative to the default path")
    s.add_argument("--suffix", default="CAM", help="the new sequence is named <name>-<suffix>")
    s.add_argument("--blur", type=float, default=0.0, help="motion blur: exposure as a fraction of the frame interval")
    s = sub.add_parser("gmc", help="GMC warp error against the true camera motion, and its cost")
    s.add_argument("--seqs", type=Path, nargs="+", required=True, help="sequences made by `make` (with camera.txt)")
    s.add_argument("--methods", nargs="+", default=["none", "sparseOptFlow", "orb", "ecc"], choices=GMC_METHODS)
    s.add_argument("--out", type=Path, help="also write results.json and results.md here")
    args = p.parse_args(argv)
    if args.command == "make":
        try:
            print(make(args.seq, args.out, args.seed, args.speed, args.suffix, args.blur))
        except FileNotFoundError as e:
            p.error(str(e))
        return 0
    for seq in args.seqs:
        if not (seq / "camera.txt").is_file():
            p.error(f"{seq / 'camera.txt'} not found: `gmc` needs a sequence made by `make`")
    results = {m: {s.name: gmc_error(s, m) for s in args.seqs} for m in args.methods}
    keys = ["mean px", "p95 px", "max px", "camera motion px", "ms/frame", "mean ms", "ahead mean ms", "ahead max ms"]
    lines = ["| method | sequence | " + " | ".join(keys) + " |", "|---|---|" + "---|" * len(keys)]
    lines += [
        f"| {m} | {s} | " + " | ".join("—" if r[k] is None else f"{r[k]:.2f}" for k in keys) + " |"
        for m, per_seq in results.items()
        for s, r in per_seq.items()
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(results, indent=2))
        (args.out / "results.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
