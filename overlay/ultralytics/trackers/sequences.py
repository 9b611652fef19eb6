# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""Benchmark sequences: MOTChallenge folders, their ground truth in every published layout, variants and occluders.

- `Sequence`: a MOTChallenge folder (``seqinfo.ini``, ``gt/gt.txt``, frames in ``img1/`` or a video).
- `read_gt`: ground truth in any column layout MOTChallenge has published (6, 7, 9 or 10 columns), checked and
  returned as MOT16 rows; anything else is refused in one line (`GroundTruthError`), before any detection runs.
- `make_variant`: the same sequence from another encoding (H.264 at another quality, JPEG frames, resized frames) or
  at a lower frame rate (every N-th frame), so that a result can be checked against the handful of decisions that a
  change of encoding flips, and at the frame rates of other cameras.
- `Occluder`: a virtual pillar, a vertical band of the image in which the detector sees nobody. Detections centred in
  it are removed and ground-truth people centred in it are ignored (as MOTChallenge ignores distractors), so the score
  measures whether identities survive the band, not the boxes it hides.
- `clips`: a sequence cut into consecutive short clips, each tracked from a fresh tracker and scored as a sequence of
  its own, so that a result can be checked on the first seconds of a video, which a long sequence hardly weighs.
"""

from __future__ import annotations

import configparser
import copy
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

GT_COLUMNS = {
    6: "frame,id,x,y,w,h",
    7: "frame,id,x,y,w,h,conf",
    9: "frame,id,x,y,w,h,consider,class,visibility (MOT16/17/20)",
    10: "frame,id,x,y,w,h,conf,x3d,y3d,z3d (MOT15)",
}
DISTRACTOR = 8  # MOT16 class of a distractor: TrackEval (MOT17 rules) ignores it and the tracker boxes on it


class GroundTruthError(ValueError):
    """A ground-truth file that cannot be scored (reported in one line, before any detection runs)."""


def read_gt(path: str | Path) -> tuple[np.ndarray, str]:
    """Read MOTChallenge ground truth in any published column layout as MOT16 rows, and the rules to score it by.

    Layouts: 6 columns ``frame,id,x,y,w,h`` (every row a person to track); 7 ``...,conf`` (rows with conf 0 ignored,
    as in MOT15); 10 ``...,conf,x3d,y3d,z3d`` (MOT15); 9 ``...,consider,class,visibility`` (MOT16/17/20, classes 1-13
    with distractors to ignore). All become 9-column MOT16 rows ``frame,id,x,y,w,h,consider,class,visibility``; a
    9-column file whose class column is not MOTChallenge's (1-13) is read as a person per row.

    Args:
        path (str | Path): The ``gt.txt``.

    Returns:
        (tuple[np.ndarray, str]): The rows (n, 9), and ``MOT17`` (MOT16/17 rules: distractors ignored) or ``MOT15``.

    Raises:
        GroundTruthError: Missing or unreadable file, another column count, non-numeric values, frames or ids that are
            not positive integers, or boxes without area.
    """
    path = Path(path)
    if not path.is_file():
        raise GroundTruthError(f"ground truth {path} not found")
    lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    if not lines:
        raise GroundTruthError(f"ground truth {path} is empty")
    rows = [re.split(r"\s*[,\s]\s*", ln.strip()) for ln in lines]
    counts = sorted({len(r) for r in rows})
    if len(counts) > 1 or counts[0] not in GT_COLUMNS:
        layouts = "; ".join(f"{n}: {c}" for n, c in GT_COLUMNS.items())
        raise GroundTruthError(
            f"ground truth {path} has {'/'.join(map(str, counts))} columns; MOTChallenge layouts have {layouts}"
        )
    try:
        gt = np.asarray(rows, dtype=np.float64)
    except ValueError:
        bad = next(i for i, r in enumerate(rows) if not all(_number(v) for v in r))
        raise GroundTruthError(f"ground truth {path} line {bad + 1} is not numeric: {lines[bad]!r}") from None
    n = gt.shape[1]
    for col, what, low in ((0, "frame numbers", 1), (1, "ids", 0)):
        v = gt[:, col]
        bad = ~(np.isfinite(v) & (v == np.round(v)) & (v >= low))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise GroundTruthError(f"ground truth {path} line {i + 1}: {what} must be integers >= {low}: {lines[i]!r}")
    if not np.all(np.isfinite(gt[:, 2:6])) or np.any(gt[:, 4:6] <= 0):
        i = int(np.flatnonzero(~(np.isfinite(gt[:, 2:6]).all(1) & (gt[:, 4:6] > 0).all(1)))[0])
        raise GroundTruthError(f"ground truth {path} line {i + 1}: boxes need finite x,y and w,h > 0: {lines[i]!r}")
    out = np.ones((len(gt), 9))
    out[:, :6] = gt[:, :6]
    if n == 9:
        classes = gt[:, 7]
        if np.all((classes == np.round(classes)) & (classes >= 1) & (classes <= 13)):
            out[:, 6:] = gt[:, 6:9]
            return out, "MOT17"
        out[:, 6] = gt[:, 6] != 0
        return out, "MOT15"
    if n in {7, 10}:
        out[:, 6] = gt[:, 6] != 0  # MOT15: conf 0 marks a row to ignore
    return out, "MOT15"


def _number(value: str) -> bool:
    """Whether a ground-truth cell parses as a number."""
    try:
        float(value)
        return True
    except ValueError:
        return False


def write_gt(path: Path, rows: np.ndarray) -> None:
    """Write MOT16 rows ``frame,id,x,y,w,h,consider,class,visibility`` (see `read_gt`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(
            f"{int(r[0])},{int(r[1])},{r[2]:.2f},{r[3]:.2f},{r[4]:.2f},{r[5]:.2f},{int(r[6])},{int(r[7])},{r[8]:g}\n"
            for r in rows
        )
    )


def video_info(video: str | Path) -> tuple[int, int, int, float]:
    """Frame count, width, height and frame rate of a video as its header gives them; zeros if no frame can be read."""
    cap = cv2.VideoCapture(str(video))
    ok = cap.isOpened() and cap.read()[0]
    props = (cv2.CAP_PROP_FRAME_COUNT, cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT)
    info = (*(int(cap.get(p)) for p in props), cap.get(cv2.CAP_PROP_FPS)) if ok else (0, 0, 0, 0.0)
    cap.release()
    return info


def write_seqinfo(
    seq: Path,
    name: str,
    length: int,
    fps: float,
    width: int,
    height: int,
    video: Path | None = None,
    variant_of: str | None = None,
    variant: str | None = None,
) -> None:
    """Write ``seqinfo.ini`` (read back by `Sequence`) into the sequence folder ``seq``.

    Args:
        seq (Path): Sequence folder.
        name (str): Sequence name.
        length (int): Number of frames.
        fps (float): Frame rate.
        width (int): Frame width in pixels.
        height (int): Frame height in pixels.
        video (Path, optional): The video holding the frames; without it they are JPEG files in ``img1/``.
        variant_of (str, optional): The sequence this one is a variant of (`make_variant`).
        variant (str, optional): What kind of variant it is, e.g. ``crf28``.
    """
    source = f"video={Path(video).resolve()}" if video else "imDir=img1"
    extra = f"variantOf={variant_of}\nvariant={variant}\n" if variant_of else ""
    (Path(seq) / "seqinfo.ini").write_text(
        f"[Sequence]\nname={name}\n{source}\nframeRate={fps:g}\nseqLength={length}\nimWidth={width}\n"
        f"imHeight={height}\nimExt=.jpg\n{extra}"
    )


class Sequence:
    """A MOTChallenge sequence: frames (image folder or video) and optional ground truth.

    Attributes:
        path (Path): The sequence folder.
        name (str): Its name (``seqinfo.ini`` ``name``), unique among the sequences scored together.
        length (int): Frames.
        fps (float): Frame rate.
        video (Path | None): The video holding the frames, or None for an image folder.
        img_dir (Path): The image folder (when there is no video).
        gt (Path): The ground truth file.
        base (str): The sequence it is a variant of (itself if it is none), for reports by sequence.
        variant (str): Which variant it is (``as shipped`` if none; see `make_variant`).
        occluder (Occluder | None): The virtual occluder applied to it, if any (`Occluder.apply`).
        first (int): Frames of the folder before the first one of this sequence (a clip of it: `clips`).
    """

    def __init__(self, path: str | Path):
        """Read ``seqinfo.ini`` of the sequence folder ``path``."""
        self.path = Path(path)
        ini = configparser.ConfigParser()
        if not ini.read(self.path / "seqinfo.ini"):
            raise FileNotFoundError(f"{self.path / 'seqinfo.ini'} not found: not a MOTChallenge sequence folder")
        info = ini["Sequence"]
        self.name = info.get("name", self.path.name)
        self.length = int(info["seqLength"])
        self.fps = float(info.get("frameRate", 30))
        self.video = (self.path / info["video"]) if "video" in info else None
        self.img_dir = self.path / info.get("imDir", "img1")
        self.gt = self.path / "gt" / "gt.txt"
        self.base = info.get("variantOf", self.name)
        self.variant = info.get("variant", "as shipped")
        self.occluder = None
        self.first = 0

    @property
    def source(self) -> str:
        """What ``model.track`` reads: the video, or the image folder."""
        return str(self.video if self.video else self.img_dir)

    def frames(self):
        """Yield the frames (BGR) in order, at most ``length``, from frame ``first`` + 1 of the folder."""
        if self.video:
            cap = cv2.VideoCapture(str(self.video))
            for _ in range(self.first):  # decoded and dropped: seeking a compressed video is not exact
                cap.grab()
            for _ in range(self.length):
                ok, frame = cap.read()
                if not ok:
                    break
                yield frame
            cap.release()
        else:
            for p in sorted(self.img_dir.iterdir())[self.first : self.first + self.length]:
                yield cv2.imread(str(p))


# ---------------------------------------------------------------------------------------------------------------------
# Variants

VARIANT = re.compile(r"^(crf(\d+)|jpeg(\d+)|scale(\d*\.?\d+)|every(\d+)(?:o(\d+))?)$")


def check_variant(kind: str) -> str:
    """``kind`` if it names a variant: ``crfN``, ``jpegQ``, ``scaleF``, ``everyN`` or ``everyNoK`` (`make_variant`)."""
    m = VARIANT.match(kind)
    if not m:
        raise ValueError(
            f"unknown variant {kind!r}: use crfN (H.264 at CRF 0-51), jpegQ (JPEG quality 1-100), scaleF, everyN or "
            "everyNoK (every N-th frame from frame K + 1)"
        )
    if m[2] and not 0 <= int(m[2]) <= 51 or m[3] and not 1 <= int(m[3]) <= 100 or m[4] and not 0 < float(m[4]) <= 4:
        raise ValueError(f"variant {kind!r} out of range: crf 0-51, jpeg 1-100, scale in (0, 4]")
    if m[5] and not (int(m[5]) >= 2 and int(m[6] or 0) < int(m[5])):
        raise ValueError(f"variant {kind!r} out of range: everyN needs N >= 2, everyNoK an offset K < N")
    return kind


def make_variant(seq: Sequence, kind: str, out: Path) -> Path:
    """Write the sequence ``seq`` from another encoding as a new sequence folder ``out/<name>-<kind>``; return it.

    - ``crfN``: the frames re-encoded as H.264 (libx264, CRF N, yuv420p, odd sizes padded by a pixel on the right or
      bottom; the ffmpeg of the ``imageio-ffmpeg`` package).
    - ``jpegQ``: the frames as JPEG files of quality Q in ``img1/``.
    - ``scaleF``: the frames resized by F (area interpolation when shrinking), as JPEG files of quality 95; the ground
      truth boxes scaled with them.
    - ``everyN`` / ``everyNoK``: every N-th frame from frame 1 (from frame K + 1), at 1/N of the frame rate, as
      another camera would record the same scene; the ground truth of those frames, renumbered. An image folder's
      files are copied as they are; a video's frames are written as JPEG files of quality 95.

    The new folder's ``seqinfo.ini`` names the sequence it is a variant of, so reports group them (`Sequence.base`);
    a variant of a variant is named after both (``jpeg75-every3``).

    Args:
        seq (Sequence): The sequence as shipped.
        kind (str): The variant (`check_variant`).
        out (Path): Folder that receives the new sequence folder.

    Returns:
        (Path): The new sequence folder.
    """
    from tqdm import tqdm

    kind = check_variant(kind)
    gt, _ = read_gt(seq.gt)
    name = f"{seq.name}-{kind}"
    dest = Path(out) / name
    (dest / "gt").mkdir(parents=True, exist_ok=True)
    scale = float(kind[5:]) if kind.startswith("scale") else 1.0

    def frames():
        """The frames with a progress bar, only where they are read (frame-rate variants copy image files)."""
        return tqdm(seq.frames(), total=seq.length, desc=name, unit="frame")

    length, size, fps = 0, (0, 0), seq.fps
    variant = kind if seq.variant == "as shipped" else f"{seq.variant}-{kind}"
    if kind.startswith("every"):
        step, offset = (int(v or 0) for v in VARIANT.match(kind).group(5, 6))
        (dest / "img1").mkdir(exist_ok=True)
        if seq.video:
            kept = range(offset, seq.length, step)  # 0-based frames
            for frame in (f for i, f in enumerate(frames()) if i in kept):
                length += 1
                cv2.imwrite(str(dest / "img1" / f"{length:06d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
                size = (frame.shape[1], frame.shape[0])
        else:
            files = sorted(seq.img_dir.iterdir())[: seq.length][offset::step]
            for length, src in enumerate(tqdm(files, desc=name, unit="frame"), 1):
                shutil.copyfile(src, dest / "img1" / f"{length:06d}{src.suffix}")
            first = cv2.imread(str(files[0])) if files else None
            size = (first.shape[1], first.shape[0]) if first is not None else size
        frame0 = gt[:, 0].astype(int) - 1 - offset
        keep = (frame0 >= 0) & (frame0 % step == 0) & (frame0 // step < length)
        gt = gt[keep]
        gt[:, 0] = frame0[keep] // step + 1
        fps, video = seq.fps / step, None
    elif kind.startswith("crf"):
        try:
            import imageio_ffmpeg
        except ImportError as e:
            raise ImportError("variant crfN needs imageio-ffmpeg: pip install 'ultralytics-reid[eval]'") from e

        video = dest / f"{name}.mp4"
        writer = None
        for frame in frames():
            if writer is None:
                size = (frame.shape[1], frame.shape[0])
                writer = imageio_ffmpeg.write_frames(
                    str(video),
                    size,
                    pix_fmt_in="bgr24",
                    fps=seq.fps,
                    codec="libx264",
                    macro_block_size=1,
                    output_params=["-crf", kind[3:], "-preset", "medium", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"],
                )
                writer.send(None)
            writer.send(np.ascontiguousarray(frame))
            length += 1
        if writer is not None:
            writer.close()
    else:
        video = None
        quality = int(kind[4:]) if kind.startswith("jpeg") else 95
        (dest / "img1").mkdir(exist_ok=True)
        for i, frame in enumerate(frames(), 1):
            if scale != 1.0:
                w, h = round(frame.shape[1] * scale), round(frame.shape[0] * scale)
                frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
            size = (frame.shape[1], frame.shape[0])
            cv2.imwrite(str(dest / "img1" / f"{i:06d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
            length += 1
        gt[:, 2:6] *= scale
    write_gt(dest / "gt" / "gt.txt", gt)
    write_seqinfo(dest, name, length, fps, *size, video=video, variant_of=seq.base, variant=variant)
    return dest


# ---------------------------------------------------------------------------------------------------------------------
# Virtual occluders


@dataclass(frozen=True)
class Occluder:
    """A virtual pillar: the vertical band ``lo <= x / width < hi`` of the image, in fractions of its width.

    Attributes:
        lo (float): Left edge, as a fraction of the image width.
        hi (float): Right edge, as a fraction of the image width.
    """

    lo: float
    hi: float

    @classmethod
    def parse(cls, text: str) -> Occluder:
        """``"0.3,0.4"`` -> ``Occluder(0.3, 0.4)``; a one-line ValueError for anything else."""
        try:
            lo, hi = (float(v) for v in text.split(","))
        except ValueError:
            raise ValueError(f"occluder {text!r}: expected LO,HI, fractions of the image width, e.g. 0.3,0.4") from None
        if not (0 <= lo < hi <= 1 and math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"occluder {text!r}: need 0 <= LO < HI <= 1 (fractions of the image width)")
        return cls(lo, hi)

    @property
    def label(self) -> str:
        """``occ30-40`` for the band 0.3-0.4."""
        return f"occ{100 * self.lo:g}-{100 * self.hi:g}"

    def hides(self, cx: np.ndarray, width: float) -> np.ndarray:
        """Which centres ``cx`` (pixels) lie in the band of an image ``width`` pixels wide."""
        x = np.asarray(cx, dtype=np.float64) / width
        return (x >= self.lo) & (x < self.hi)

    def apply(self, seq: Sequence, boxes: list[np.ndarray], feats: dict, width: int, out: Path) -> tuple:
        """The sequence as seen through the band: its detections without those centred in it, its people ignored there.

        Args:
            seq (Sequence): The sequence.
            boxes (list[np.ndarray]): Per-frame detections ``(n, 6+)``: ``x1, y1, x2, y2, conf, cls``.
            feats (dict[str, list[np.ndarray]]): Per descriptor, per-frame features aligned with ``boxes``.
            width (int): Image width in pixels.
            out (Path): Folder that receives the occluded ground truth (``<out>/<name>/gt/gt.txt``).

        Returns:
            (tuple[Sequence, list[np.ndarray], dict]): The occluded sequence (same frames, its own name and ground
                truth: people centred in the band become MOT16 distractors, scored under MOT17 rules), and the kept
                boxes and features.
        """
        keep = [~self.hides((b[:, 0] + b[:, 2]) / 2, width) for b in boxes]
        kept = [b[k] for b, k in zip(boxes, keep)]
        kept_feats = {kind: [f[k] for f, k in zip(rows, keep)] for kind, rows in feats.items()}
        gt, _ = read_gt(seq.gt)
        hidden = self.hides(gt[:, 2] + gt[:, 4] / 2, width)
        gt[hidden, 6], gt[hidden, 7] = 0, DISTRACTOR
        occluded = copy.copy(seq)
        occluded.name, occluded.occluder = f"{seq.name}+{self.label}", self
        occluded.gt = Path(out) / occluded.name / "gt" / "gt.txt"
        write_gt(occluded.gt, gt)
        return occluded, kept, kept_feats


# ---------------------------------------------------------------------------------------------------------------------
# Short clips


def clips(seq: Sequence, boxes: list[np.ndarray], feats: dict, length: int, out: Path) -> list[tuple]:
    """The sequence cut into consecutive clips of ``length`` frames, each a sequence of its own.

    A tracker replays each clip from a fresh start, and the clip's ground truth holds only its frames (renumbered from
    1), so every clip is scored as a video that begins there: people already in view at its first frame are new to the
    tracker, as in a short clip, where the first seconds weigh what a long sequence hardly counts. Clips start at
    frames 1, ``length`` + 1, ...; a last clip shorter than half of ``length`` is dropped (unless it is the only one),
    and so is a clip without anyone in its ground truth (nothing to score).

    Args:
        seq (Sequence): The sequence (a variant or occluded one too: the clips keep its variant and occluder).
        boxes (list[np.ndarray]): Per-frame detections of the whole sequence.
        feats (dict[str, list[np.ndarray]]): Per descriptor, per-frame features aligned with ``boxes``.
        length (int): Frames per clip, at least 2.
        out (Path): Folder that receives each clip's ground truth (``<out>/<name>/gt/gt.txt``).

    Returns:
        (list[tuple[Sequence, list[np.ndarray], dict]]): Per clip, the clip (named ``<sequence>+clip<a>-<b>``, its first
            and last frame in the sequence), and its boxes and features.
    """
    if length < 2:
        raise ValueError(f"clips of {length} frames: need at least 2 frames per clip")
    gt, _ = read_gt(seq.gt)
    out_clips = []
    for first in range(0, seq.length, length):
        n = min(length, seq.length - first)
        if n < length / 2 and first:
            break
        rows = gt[(gt[:, 0] > first) & (gt[:, 0] <= first + n)]
        if not len(rows):
            continue
        rows[:, 0] -= first
        clip = copy.copy(seq)
        clip.name, clip.first, clip.length = f"{seq.name}+clip{first + 1}-{first + n}", seq.first + first, n
        clip.gt = Path(out) / clip.name / "gt" / "gt.txt"
        write_gt(clip.gt, rows)
        kept = {kind: per_frame[first : first + n] for kind, per_frame in feats.items()}
        out_clips.append((clip, boxes[first : first + n], kept))
    return out_clips
