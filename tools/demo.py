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
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets import AssetError, person_detector, pets09_clip  # noqa: E402

DEFAULT_TRACKER = "botsort_native_reid.yaml"
GAP_S = 1.0  # a track unseen for this long and then seen again was re-found
CROP_H = 96  # height of a person's crop on the contact sheet
CROPS_PER_ROW = 10
MAX_ROWS = 200
LABEL_W = 170


class DemoError(Exception):
    """Bad input, reported in one line before anything is written."""


@dataclass
class Track:
    """What the demo keeps of one track ID: the runs of frames it was seen in, with a few crops of each run."""

    runs: list[list] = field(default_factory=list)  # [first frame, last frame, [(frame, crop), ...]]
    last: tuple[int, np.ndarray] | None = None  # the latest crop, kept until its run ends

    def add(self, n: int, crop: np.ndarray, gap: int, stride: int) -> None:
        """Frame ``n`` shows the person; a gap longer than ``gap`` frames starts a new run."""
        if not self.runs or n - self.runs[-1][1] > gap:
            self.close()
            self.runs.append([n, n, [(n, crop)]])
        else:
            run = self.runs[-1]
            run[1] = n
            if (n - run[0]) % stride == 0:
                run[2].append((n, crop))
        self.last = (n, crop)

    def close(self) -> None:
        """End the current run with its latest crop."""
        if self.runs and self.last and self.runs[-1][2][-1][0] != self.last[0]:
            self.runs[-1][2].append(self.last)

    @property
    def frames(self) -> int:
        """Frames between the first and the last sighting."""
        return self.runs[-1][1] - self.runs[0][0] + 1


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


def crop_of(img: np.ndarray, box: list[float]) -> np.ndarray:
    """The person inside ``box`` (xyxy), scaled to the contact sheet's crop height."""
    h, w = img.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w, max(x2, x1 + 1)), min(h, max(y2, y1 + 1))
    patch = img[y1:y2, x1:x2]
    if patch.size == 0:
        return np.zeros((CROP_H, CROP_H // 2, 3), np.uint8)
    scale = CROP_H / patch.shape[0]
    return cv2.resize(patch, (max(8, min(3 * CROP_H, round(patch.shape[1] * scale))), CROP_H))


def text(img: np.ndarray, s: str, xy: tuple[int, int], color=(40, 40, 40), scale: float = 0.45, bold: int = 1) -> None:
    """Put a line of text."""
    cv2.putText(img, s, xy, cv2.FONT_HERSHEY_SIMPLEX, scale, color, bold, cv2.LINE_AA)


def contact_sheet(tracks: dict[int, Track], fps: float, colour) -> tuple[np.ndarray, dict]:
    """One row per track ID (by first appearance): label, crops over time, a red bar per gap it was re-found after."""
    shown = [tid for tid, t in sorted(tracks.items(), key=lambda kv: kv[1].runs[0][0]) if t.frames >= 3][:MAX_ROWS]
    rows, refound = [], 0
    for tid in shown:
        t = tracks[tid]
        cells = []
        per_run = max(2, CROPS_PER_ROW // len(t.runs))
        for k, (first, _, crops) in enumerate(t.runs):
            if k:  # the track was lost between the previous run and this one, then re-found
                bar = np.full((CROP_H + 18, 56, 3), 255, np.uint8)
                bar[: CROP_H - 12, 23:33] = (40, 40, 220)
                text(bar, "lost", (13, CROP_H + 1), (40, 40, 220), 0.4)
                text(bar, f"{(first - t.runs[k - 1][1]) / fps:.1f}s", (11, CROP_H + 15), (40, 40, 220), 0.4)
                cells.append(bar)
            pick = np.unique(np.linspace(0, len(crops) - 1, min(per_run, len(crops))).round().astype(int))
            for i in pick:
                n, crop = crops[i]
                cell = np.full((CROP_H + 18, crop.shape[1] + 6, 3), 255, np.uint8)
                cell[:CROP_H, 3 : 3 + crop.shape[1]] = crop
                text(cell, str(n), (3, CROP_H + 14), scale=0.38)
                cells.append(cell)
        refound += len(t.runs) > 1
        label = np.full((CROP_H + 18, LABEL_W, 3), 255, np.uint8)
        cv2.rectangle(label, (4, 8), (22, 26), colour(tid, True), -1)
        text(label, f"#{tid}", (30, 24), scale=0.6, bold=2)
        text(label, f"frames {t.runs[0][0]}-{t.runs[-1][1]}", (6, 50))
        if len(t.runs) > 1:
            text(label, f"re-found {len(t.runs) - 1}x", (6, 72), (40, 40, 220))
        rows.append(np.hstack([label, *cells]))
    width = max([r.shape[1] for r in rows] + [LABEL_W + 400])
    head = np.full((40, width, 3), 255, np.uint8)
    hidden = len(tracks) - len(shown)
    text(
        head,
        f"{len(tracks)} track IDs"
        + (f" ({hidden} seen under 3 frames not shown)" if hidden else "")
        + f"; red bar: lost for >= {GAP_S:g} s, then re-found",
        (6, 26),
        scale=0.55,
    )
    rows = [head] + [np.pad(r, ((0, 2), (0, width - r.shape[1]), (0, 0)), constant_values=235) for r in rows]
    return np.vstack(rows), {"shown": len(shown), "refound": refound}


def track(
    model: str, source: str, tracker: str, out: Path, frames: int, conf: float, imgsz: int, count: int, fps: float
) -> dict:
    """Track ``source``; write the annotated video, the contact sheet and the MOTChallenge tracks into ``out``.

    Returns:
        (dict): frames, tracks (distinct IDs), re-found tracks, fps (end to end), output paths.
    """
    from tqdm import tqdm

    from ultralytics import YOLO
    from ultralytics.trackers.eval import mot_line
    from ultralytics.utils.plotting import Annotator, colors

    stem = Path(source).stem
    paths = {"video": out / f"{stem}.mp4", "sheet": out / "identities.jpg", "mot": out / f"{stem}.txt"}
    total = min(frames, count) if count > 0 else frames
    gap, stride = max(1, round(GAP_S * fps)), max(1, total // 300)
    writer, tracks, n = None, {}, 0
    start = time.perf_counter()
    results = YOLO(model).track(source, stream=True, tracker=tracker, conf=conf, imgsz=imgsz, verbose=False)
    with open(paths["mot"], "w") as mot, tqdm(total=total, unit="frame", desc="tracking") as bar:
        for n, r in enumerate(results, 1):
            annotator = Annotator(r.orig_img.copy(), line_width=2)
            if r.boxes.is_track:  # detections that are not (yet) tracks are not drawn
                for box, tid, score in zip(r.boxes.xyxy.tolist(), r.boxes.id.int().tolist(), r.boxes.conf.tolist()):
                    mot.write(mot_line(n, tid, box, score))
                    tracks.setdefault(tid, Track()).add(n, crop_of(r.orig_img, box), gap, stride)
                    annotator.box_label(box, f"#{tid}", color=colors(tid, True))
            frame = annotator.result()
            text(frame, f"frame {n}", (8, 22), (255, 255, 255), 0.6, 2)
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
    for t in tracks.values():
        t.close()
    sheet, summary = contact_sheet(tracks, fps, colors) if tracks else (None, {"shown": 0, "refound": 0})
    if sheet is not None:
        cv2.imwrite(str(paths["sheet"]), sheet, [cv2.IMWRITE_JPEG_QUALITY, 90])
    else:
        paths.pop("sheet")
    return {"frames": n, "tracks": len(tracks), "fps": n / elapsed if elapsed else 0.0, **summary, **paths}


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
