"""The demo: track people in a real clip, offline, and show what happened to their identities.

Run it through ``python3 tools/dev.py demo`` (which sets up the venv and the wheel); with the wheel installed,
``python tools/demo.py`` works directly. Defaults: the offline person detector and PETS09-S2L1 (see tools/assets.py).

It writes into a new folder (``runs/demo``, then ``runs/demo-2``, ... as ``yolo`` numbers its runs; ``--exist-ok``
reuses one):

- ``<clip>.mp4``: the clip with each tracked person's box in the colour of their track ID and a short label (``#7``);
  detections that are not (yet) tracks are not drawn.
- ``identities.jpg``: one row per track ID with the person's crops over time. Where a track was lost for a second or
  more and re-found, a red bar says for how long: the same person on both sides means re-identification kept the
  ID; two different people mean a wrong re-find. A person who appears on two rows lost their ID.
- ``<clip>.txt``: the tracks in MOTChallenge format (``frame,id,x,y,w,h,conf,-1,-1,-1``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets import AssetError, person_detector, pets09_clip  # noqa: E402

DEFAULT_TRACKER = "botsort_native_reid.yaml"


class DemoError(Exception):
    """Bad input, reported in one line before anything is written."""


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer of at least 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def fraction(text: str) -> float:
    """An argparse type: a number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {value:g}")
    return value


def probe(source: str) -> tuple[int, float]:
    """Frame count and frame rate of a video, or DemoError when it cannot be read."""
    from ultralytics.trackers.eval import video_info

    count, width, _, fps = video_info(source)
    if not width:
        raise DemoError(f"cannot read video {source} (OpenCV opens no frame from it)")
    return count, fps if 0 < fps < 1000 else 25.0


def track(
    model: str, source: str, tracker: str, out: Path, frames: int, conf: float, imgsz: int, count: int, fps: float
) -> dict:
    """Track ``source``; write the annotated video, the identities sheet and the MOTChallenge tracks into ``out``.

    Returns:
        (dict): frames, tracks (distinct IDs), re-found tracks, fps (end to end), output paths.
    """
    from tqdm import tqdm

    from ultralytics import YOLO
    from ultralytics.trackers.eval import mot_line
    from ultralytics.trackers.render import IdentitySheet, draw

    stem = Path(source).stem
    paths = {"video": out / f"{stem}.mp4", "sheet": out / "identities.jpg", "mot": out / f"{stem}.txt"}
    total = min(frames, count) if count > 0 else frames
    writer, sheet, n = None, IdentitySheet(fps), 0
    start = time.perf_counter()
    results = YOLO(model).track(source, stream=True, tracker=tracker, conf=conf, imgsz=imgsz, verbose=False)
    with open(paths["mot"], "w") as mot, tqdm(total=total, unit="frame", desc="tracking") as bar:
        for n, r in enumerate(results, 1):
            boxes, ids = [], []
            if r.boxes.is_track:  # detections that are not (yet) tracks are not drawn
                boxes, ids = r.boxes.xyxy.tolist(), r.boxes.id.int().tolist()
                for box, tid, score in zip(boxes, ids, r.boxes.conf.tolist()):
                    mot.write(mot_line(n, tid, box, score))
            sheet.add(n, r.orig_img, boxes, ids)
            frame = draw(r.orig_img, boxes, ids, n)
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(str(paths["video"]), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
            writer.write(frame)
            bar.update()
            if n >= frames:
                break
    if writer is not None:
        writer.release()
    elapsed = time.perf_counter() - start
    image, summary = sheet.image()
    if image is not None:
        cv2.imwrite(str(paths["sheet"]), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    else:
        paths.pop("sheet")
    return {"frames": n, "tracks": len(sheet.tracks), "fps": n / elapsed if elapsed else 0.0, **summary, **paths}


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", help="detector weights, a local file (default: the offline person detector)")
    p.add_argument("--source", help="video (default: PETS09-S2L1 vtest.avi from Debian's opencv-doc)")
    p.add_argument("--tracker", default=DEFAULT_TRACKER, help=f"tracker YAML (default: {DEFAULT_TRACKER})")
    p.add_argument("--out", type=Path, default=Path("runs/demo"), help="output folder, numbered if it exists")
    p.add_argument("--exist-ok", action="store_true", help="write into --out even if it exists (no numbering)")
    p.add_argument(
        "--frames", type=positive_int, default=200, help="stop after this many frames (default: 200; the clip has 795)"
    )
    p.add_argument("--conf", type=fraction, default=0.1, help="detection confidence threshold (default: 0.1)")
    p.add_argument("--imgsz", type=positive_int, default=640, help="inference size (default: 640)")
    a = p.parse_args(argv)
    try:  # everything is checked before anything is written
        model = a.model or str(person_detector())
        if not (Path(model).is_file() or model.endswith(".yaml")):
            raise DemoError(f"model {model} not found (the demo runs offline: give a local file, or omit --model)")
        source = a.source or str(pets09_clip())
        count, fps = probe(source)
        from ultralytics.trackers.config import TrackerConfigError, load

        try:
            load(a.tracker)
        except (TrackerConfigError, FileNotFoundError) as e:
            raise DemoError(str(e)) from None
    except (AssetError, DemoError) as e:
        print(f"demo: {e}", file=sys.stderr)
        return 2
    from ultralytics.utils.files import increment_path

    out = increment_path(a.out, exist_ok=a.exist_ok)
    out.mkdir(parents=True, exist_ok=True)
    print(f"tracking {source} with {model} and {a.tracker} into {out}/", flush=True)
    from ultralytics.trackers.render import GAP_S

    s = track(model, source, a.tracker, out, a.frames, a.conf, a.imgsz, count, fps)
    print(
        f"\n{s['frames']} frames, {s['tracks']} track IDs, {s['refound']} re-found after a gap of {GAP_S:g} s or more, "
        f"{s['fps']:.1f} fps (end to end)\n"
        f"annotated video:   {s['video']}\n"
        + (
            f"identities sheet:  {s['sheet']}  (one row per track ID; red bars: lost, then re-found)\n"
            if "sheet" in s
            else ""
        )
        + f"MOT tracks:        {s['mot']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
