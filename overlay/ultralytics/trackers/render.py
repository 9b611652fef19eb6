# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""What a tracker did with identities, drawn: boxes in the colour of their track ID, and an identities sheet.

- `draw`: a frame with each tracked box in its track ID's colour, labelled ``#7``, and the frame number.
- `IdentitySheet`: one row per track ID with the person's crops over time; where a track was unseen for ``gap_s``
  seconds or more and then seen again (re-found), a red bar says for how long. The same person on both sides of a bar
  is re-identification keeping an ID, two different people a wrong re-find, one person on two rows a lost ID. Memory
  stays bounded on sources of any length: each run of a track keeps at most ``MAX_CROPS_PER_RUN`` crops, thinned
  evenly as it grows, and the sheet shows the first ``MAX_ROWS`` track IDs.
- `render`: both at once over a source's frames and its MOTChallenge rows (the fleet's ``--video``/``--identities``).

The demo (``tools/demo.py``) and the fleet (`ultralytics.trackers.fleet`) draw with these.

    >>> sheet = IdentitySheet(fps=25)
    >>> for n, (img, boxes, ids) in enumerate(frames, 1):
    ...     sheet.add(n, img, boxes, ids)
    ...     video.write(draw(img, boxes, ids, n))
    >>> image, counts = sheet.image()  # counts: {"shown": ..., "refound": ...}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

GAP_S = 1.0  # a track unseen for this long and then seen again was re-found
CROP_H = 96  # height of a person's crop on the sheet
CROPS_PER_ROW = 10
MAX_CROPS_PER_RUN = 16  # crops kept of one run of a track (thinned evenly as the run grows)
MAX_ROWS = 200  # track IDs shown on the sheet
LABEL_W = 170


def text(img: np.ndarray, s: str, xy: tuple[int, int], color=(40, 40, 40), scale: float = 0.45, bold: int = 1) -> None:
    """Put a line of text."""
    cv2.putText(img, s, xy, cv2.FONT_HERSHEY_SIMPLEX, scale, color, bold, cv2.LINE_AA)


def draw(img: np.ndarray, boxes: Iterable, ids: Iterable[int], frame: int | None = None) -> np.ndarray:
    """A copy of ``img`` with each box (xyxy) in its track ID's colour, labelled ``#id``, and the frame number.

    Args:
        img (np.ndarray): BGR image.
        boxes (Iterable): Boxes xyxy in pixels, one per track ID.
        ids (Iterable[int]): Track IDs.
        frame (int, optional): Frame number written in the corner.

    Returns:
        (np.ndarray): The annotated image.
    """
    from ultralytics.utils.plotting import Annotator, colors

    annotator = Annotator(img.copy(), line_width=2)
    for box, tid in zip(boxes, ids):
        annotator.box_label(list(box), f"#{int(tid)}", color=colors(int(tid), True))
    out = annotator.result()
    if frame is not None:
        text(out, f"frame {frame}", (8, 22), (255, 255, 255), 0.6, 2)
    return out


def crop_of(img: np.ndarray, box: Iterable[float]) -> np.ndarray:
    """The person inside ``box`` (xyxy), scaled to the sheet's crop height."""
    h, w = img.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w, max(x2, x1 + 1)), min(h, max(y2, y1 + 1))
    patch = img[y1:y2, x1:x2]
    if patch.size == 0:
        return np.zeros((CROP_H, CROP_H // 2, 3), np.uint8)
    scale = CROP_H / patch.shape[0]
    return cv2.resize(patch, (max(8, min(3 * CROP_H, round(patch.shape[1] * scale))), CROP_H))


@dataclass
class Run:
    """Frames ``first``-``last`` in which a track was seen without a gap, and a few crops of it."""

    first: int
    last: int
    crops: list[tuple[int, np.ndarray]] = field(default_factory=list)
    stride: int = 1  # crops are kept every `stride` frames of the run; doubled when there are too many

    def add(self, n: int, crop: np.ndarray) -> None:
        """Frame ``n`` shows the person: keep its crop every ``stride`` frames, at most ``MAX_CROPS_PER_RUN``."""
        self.last = n
        if (n - self.first) % self.stride == 0:
            self.crops.append((n, crop))
            if len(self.crops) > MAX_CROPS_PER_RUN:
                self.stride *= 2
                self.crops = [c for c in self.crops if (c[0] - self.first) % self.stride == 0]


@dataclass
class Track:
    """What the sheet keeps of one track ID: its runs, and its latest crop (shown at the end of its run)."""

    runs: list[Run] = field(default_factory=list)
    latest: tuple[int, np.ndarray] | None = None

    def add(self, n: int, crop: np.ndarray, gap: int) -> None:
        """Frame ``n`` shows the person; a gap longer than ``gap`` frames starts a new run."""
        if not self.runs or n - self.runs[-1].last > gap:
            self.close()
            self.runs.append(Run(n, n))
        self.runs[-1].add(n, crop)
        self.latest = (n, crop)

    def close(self) -> None:
        """End the current run with its latest crop."""
        if self.runs and self.latest and self.runs[-1].crops[-1][0] != self.latest[0]:
            self.runs[-1].crops.append(self.latest)

    @property
    def frames(self) -> int:
        """Frames between the first and the last sighting."""
        return self.runs[-1].last - self.runs[0].first + 1


class IdentitySheet:
    """One row per track ID with the person's crops over time and a red bar for each gap it was re-found after.

    Attributes:
        fps (float): Frame rate of the source, to measure gaps in seconds.
        gap (int): Frames unseen after which a track seen again counts as re-found.
        tracks (dict[int, Track]): What is kept of each track ID.
    """

    def __init__(self, fps: float, gap_s: float = GAP_S):
        """Start an empty sheet for a source of ``fps`` frames per second."""
        self.fps = fps if 0 < fps < 1000 else 25.0
        self.gap = max(1, round(gap_s * self.fps))
        self.tracks: dict[int, Track] = {}

    def add(self, n: int, img: np.ndarray, boxes: Iterable, ids: Iterable[int]) -> None:
        """Frame ``n`` (from 1) of the source: the tracked boxes (xyxy) and their track IDs."""
        for box, tid in zip(boxes, ids):
            self.tracks.setdefault(int(tid), Track()).add(n, crop_of(img, box), self.gap)

    def image(self) -> tuple[np.ndarray | None, dict]:
        """The sheet (None without tracks) and ``{"shown": track IDs on it, "refound": those of them re-found}``."""
        from ultralytics.utils.plotting import colors

        for t in self.tracks.values():
            t.close()
        if not self.tracks:
            return None, {"shown": 0, "refound": 0}
        shown = [tid for tid, t in sorted(self.tracks.items(), key=lambda kv: kv[1].runs[0].first) if t.frames >= 3]
        shown = shown[:MAX_ROWS]
        rows, refound = [], 0
        for tid in shown:
            t = self.tracks[tid]
            cells = []
            per_run = max(2, CROPS_PER_ROW // len(t.runs))
            for k, run in enumerate(t.runs):
                if k:  # the track was lost between the previous run and this one, then re-found
                    bar = np.full((CROP_H + 18, 56, 3), 255, np.uint8)
                    bar[: CROP_H - 12, 23:33] = (40, 40, 220)
                    text(bar, "lost", (13, CROP_H + 1), (40, 40, 220), 0.4)
                    seconds = (run.first - t.runs[k - 1].last) / self.fps
                    text(bar, f"{seconds:.1f}s", (11, CROP_H + 15), (40, 40, 220), 0.4)
                    cells.append(bar)
                pick = np.unique(np.linspace(0, len(run.crops) - 1, min(per_run, len(run.crops))).round().astype(int))
                for i in pick:
                    n, crop = run.crops[i]
                    cell = np.full((CROP_H + 18, crop.shape[1] + 6, 3), 255, np.uint8)
                    cell[:CROP_H, 3 : 3 + crop.shape[1]] = crop
                    text(cell, str(n), (3, CROP_H + 14), scale=0.38)
                    cells.append(cell)
            refound += len(t.runs) > 1
            label = np.full((CROP_H + 18, LABEL_W, 3), 255, np.uint8)
            cv2.rectangle(label, (4, 8), (22, 26), colors(tid, True), -1)
            text(label, f"#{tid}", (30, 24), scale=0.6, bold=2)
            text(label, f"frames {t.runs[0].first}-{t.runs[-1].last}", (6, 50))
            if len(t.runs) > 1:
                text(label, f"re-found {len(t.runs) - 1}x", (6, 72), (40, 40, 220))
            rows.append(np.hstack([label, *cells]))
        width = max([r.shape[1] for r in rows] + [LABEL_W + 400])
        head = np.full((40, width, 3), 255, np.uint8)
        hidden = len(self.tracks) - len(shown)
        gap_s = self.gap / self.fps
        text(
            head,
            f"{len(self.tracks)} track IDs"
            + (f" ({hidden} not shown: seen under 3 frames or beyond {MAX_ROWS} rows)" if hidden else "")
            + f"; red bar: lost for >= {gap_s:.2g} s, then re-found",
            (6, 26),
            scale=0.55,
        )
        rows = [head] + [np.pad(r, ((0, 2), (0, width - r.shape[1]), (0, 0)), constant_values=235) for r in rows]
        return np.vstack(rows), {"shown": len(shown), "refound": refound}


def rows_by_frame(rows_file: str | Path) -> dict[int, tuple[list[list[float]], list[int]]]:
    """MOTChallenge rows (``frame,id,x,y,w,h,...``) as frame -> (boxes xyxy, track IDs)."""
    out: dict[int, tuple[list, list]] = {}
    for line in Path(rows_file).read_text().splitlines():
        v = line.split(",")
        x, y, w, h = (float(s) for s in v[2:6])
        boxes, ids = out.setdefault(int(float(v[0])), ([], []))
        boxes.append([x, y, x + w, y + h])
        ids.append(int(float(v[1])))
    return out


def render(
    frames: Iterator[np.ndarray], rows_file: str | Path, fps: float, video: Path | None, sheet: Path | None
) -> dict:
    """Draw a source's tracks from its frames and its rows: the annotated video and the identities sheet.

    Args:
        frames (Iterator[np.ndarray]): The source's BGR frames, in order from frame 1.
        rows_file (str | Path): Its MOTChallenge rows.
        fps (float): Its frame rate (of the video written, and for gaps in seconds).
        video (Path, optional): Where to write the annotated video (``.mp4``), or None.
        sheet (Path, optional): Where to write the identities sheet (``.jpg``), or None.

    Returns:
        (dict): ``{"frames", "shown", "refound"}`` and the paths written (``video``, ``sheet``).
    """
    rows = rows_by_frame(rows_file)
    rate = fps if 0 < fps < 1000 else 25.0
    ids = IdentitySheet(rate) if sheet is not None else None
    writer, n = None, 0
    for n, img in enumerate(frames, 1):
        boxes, tids = rows.get(n, ([], []))
        if ids is not None:
            ids.add(n, img, boxes, tids)
        if video is not None:
            if writer is None:
                h, w = img.shape[:2]
                writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), rate, (w, h))
            writer.write(draw(img, boxes, tids, n))
    out = {"frames": n, "shown": 0, "refound": 0}
    if writer is not None:
        writer.release()
        out["video"] = video
    if ids is not None:
        image, counts = ids.image()
        out.update(counts)
        if image is not None:
            cv2.imwrite(str(sheet), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            out["sheet"] = sheet
    return out
