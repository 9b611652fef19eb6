# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
r"""Multi-object tracking benchmark: MOTChallenge sequences in, HOTA / IDF1 / MOTA / IDSW out (computed by TrackEval).

Detections and every native ReID descriptor are computed once per sequence and model and cached; each tracker config
is then replayed through the same ``tracker.update(boxes, frame, feats=...)`` call that ``model.track`` makes, so a
sweep over configs costs tracking time only. ``e2e`` runs ``model.track`` itself to confirm the replayed numbers.

A sequence is a folder in MOTChallenge layout: ``seqinfo.ini``, ``gt/gt.txt`` and frames in ``img1/``, or a video
named by ``video=`` in ``seqinfo.ini`` (``prepare`` writes one for a video). Install the extra: ``pip install
ultralytics-reid[eval]``.

Examples:
    python -m ultralytics.trackers.eval prepare --video vtest.avi --gt gt.txt --name PETS09-S2L1 --out data --fps 7
    python -m ultralytics.trackers.eval cache --model best.pt --seqs data/PETS09-S2L1
    python -m ultralytics.trackers.eval auc --model best.pt --seqs data/PETS09-S2L1
    python -m ultralytics.trackers.eval run --model best.pt --seqs data/PETS09-S2L1 \
        --trackers bytetrack.yaml botsort.yaml botsort_native_reid.yaml
    python -m ultralytics.trackers.eval tune --model best.pt --seqs data/PETS09-S2L1 \
        --tracker botsort_native_reid.yaml --grid reid_confidence=0.7,0.8 veto_ratio=0.05,0.1
    python -m ultralytics.trackers.eval e2e --model best.pt --seqs data/PETS09-S2L1 --trackers botsort_native_reid.yaml
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import hashlib
import itertools
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ultralytics.trackers.sequences import (
    Occluder,
    Sequence,
    check_variant,
    clips,
    make_variant,
    read_gt,
    video_info,
    write_gt,
    write_seqinfo,
)
from ultralytics.utils import LOGGER, YAML
from ultralytics.utils.checks import check_yaml

CACHE_VERSION = 2  # 2: colour histograms counted by OpenCV (float rounding at bin edges may differ from v1)
METRICS = ("HOTA", "IDF1", "MOTA", "IDSW", "FP", "FN")


# ---------------------------------------------------------------------------------------------------------------------
# Sequences


def prepare(video: Path, gt: Path, name: str, out: Path, fps: float | None = None) -> Path:
    """Write a sequence folder for a video and its MOTChallenge ground truth; return the folder.

    The frame rate is, in order: ``fps``; the ``frameRate`` of a ``seqinfo.ini`` beside the ground truth (the
    MOTChallenge layout ``SEQ/gt/gt.txt`` + ``SEQ/seqinfo.ini``); the video's own header, said loudly, since container
    rates can be wrong (``vtest.avi`` says 10 fps, PETS09-S2L1 was recorded at 7). Nothing is written unless the video
    and the ground truth can be read.

    Raises:
        FileNotFoundError: The video or the ground truth does not exist or cannot be read.
        ValueError: ``fps`` is not positive, or the ground truth is in no MOTChallenge layout (`GroundTruthError`).
    """
    if fps is not None and not fps > 0:
        raise ValueError(f"--fps must be positive, got {fps}")
    if not Path(gt).is_file():
        raise FileNotFoundError(f"ground truth {gt} not found")
    read_gt(gt)  # one line for a layout TrackEval cannot score, before anything is written
    if not Path(video).is_file():
        raise FileNotFoundError(f"video {video} not found")
    length, width, height, video_fps = video_info(video)
    if length <= 0 or width <= 0 or height <= 0:
        raise FileNotFoundError(f"cannot read video {video} (OpenCV opens no frames from it)")
    if fps is None:
        fps, origin = seqinfo_rate(Path(gt)), "the seqinfo.ini beside the ground truth"
        if fps and video_fps > 0 and abs(fps - video_fps) > 0.01:
            LOGGER.warning(f"{video} says {video_fps:g} fps; using {fps:g} fps from {origin}")
        if not fps:
            fps, origin = (video_fps if video_fps > 0 else 30.0), "the video's header"
            LOGGER.warning(
                f"frame rate {fps:g} fps from {origin}: if the recording's real rate differs (vtest.avi says 10 fps, "
                "PETS09-S2L1 was recorded at 7), pass --fps; time-based tracker keys (track_buffer_s) depend on it"
            )
    seq = Path(out) / name
    (seq / "gt").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(gt, seq / "gt" / "gt.txt")
    write_seqinfo(seq, name, length, fps, width, height, video=video)
    return seq


def seqinfo_rate(gt: Path) -> float | None:
    """The ``frameRate`` of a ``seqinfo.ini`` in the ground truth's folder or the one above it, if there is one."""
    for ini_path in (gt.parent / "seqinfo.ini", gt.parent.parent / "seqinfo.ini"):
        ini = configparser.ConfigParser()
        if ini.read(ini_path) and ini.has_option("Sequence", "frameRate"):
            return float(ini["Sequence"]["frameRate"])
    return None


# ---------------------------------------------------------------------------------------------------------------------
# Detection cache


def cache_path(cache_dir: Path, seq: Sequence, model: str, imgsz: int, conf: float) -> Path:
    """Cache file for a sequence, model (by content) and detection settings."""
    h = hashlib.sha256(Path(model).read_bytes()).hexdigest()[:12] if Path(model).is_file() else model
    return cache_dir / f"{seq.name}-{h}-{imgsz}-{conf:g}-v{CACHE_VERSION}.npz"


def to_input_coords(boxes, orig_shape: tuple[int, int], input_shape: tuple[int, int]):
    """Map xyxy boxes from the original image to the letterboxed network input (inverse of ``ops.scale_boxes``)."""
    gain = min(input_shape[0] / orig_shape[0], input_shape[1] / orig_shape[1])
    pad_w = round((input_shape[1] - orig_shape[1] * gain) / 2 - 0.1)
    pad_h = round((input_shape[0] - orig_shape[0] * gain) / 2 - 0.1)
    out = boxes * gain
    out[:, [0, 2]] += pad_w
    out[:, [1, 3]] += pad_h
    return out


def build_cache(seq: Sequence, model: str, imgsz: int, conf: float, cache_dir: Path) -> Path:
    """Run the detector over ``seq`` once; store boxes and every native descriptor per frame."""
    import torch
    from tqdm import tqdm

    from ultralytics import YOLO
    from ultralytics.trackers.utils.descriptors import DESCRIPTORS, describe

    path = cache_path(cache_dir, seq, model, imgsz, conf)
    if path.exists():
        return path
    yolo = YOLO(model)
    state = {}

    def hook(predictor):
        if not state:
            net = predictor.model.model
            net.register_forward_pre_hook(lambda m, x: state.update(img=x[0]))
            net.model[-1].register_forward_pre_hook(lambda m, x: state.update(maps=[t for t in x[0]]))
            state["hooked"] = True

    yolo.add_callback("on_predict_start", hook)
    frames, boxes, feats = [], [], {k: [] for k in DESCRIPTORS}
    anchor_cfg = {**YAML.load(check_yaml("botsort.yaml")), "with_reid": True, "model": "auto", "descriptor": "anchor"}
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "anchor.yaml"
        YAML.save(cfg, anchor_cfg)

        def record(predictor):  # runs before the tracker: what the pipeline hands tracker.update
            r = predictor.results[0]
            state["orig_shape"] = r.orig_shape
            data = r.boxes.data.float().cpu()
            n = len(data)
            xyxy = to_input_coords(r.boxes.xyxy.float(), r.orig_shape, state["img"].shape[2:])
            for kind in DESCRIPTORS:
                if kind == "anchor":
                    f = r.feats if n else torch.zeros(0, 1)
                else:
                    f = describe(kind, state["maps"], state["img"], xyxy) if n else torch.zeros(0, 1)
                feats[kind].append(f.float().cpu().numpy().reshape(n, -1) if n else np.zeros((0, 1), np.float32))
            boxes.append(data.numpy())

        yolo.add_callback("on_predict_postprocess_end", record)
        stream = yolo.track(
            seq.source, tracker=str(cfg), imgsz=imgsz, conf=conf, stream=True, persist=True, verbose=False
        )
        for i, _ in enumerate(tqdm(stream, total=seq.length, desc=f"detect {seq.name}", unit="frame")):
            frames.append(i + 1)
            if i + 1 >= seq.length:
                break
    arrays = {"n": np.array([len(b) for b in boxes]), "boxes": np.concatenate(boxes) if boxes else np.zeros((0, 6))}
    for kind, rows in feats.items():
        dim = max((r.shape[1] for r in rows if len(r)), default=1)
        arrays[f"feats_{kind}"] = np.concatenate([r.reshape(len(r), dim) for r in rows]).astype(np.float32)
    arrays["orig_shape"] = np.array(state.get("orig_shape", (0, 0)))
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path


class Cache:
    """Cached detections of one sequence: per-frame boxes (xyxy, conf, cls) and descriptors."""

    def __init__(self, path: Path | None):
        """Load a cache file (None: empty, for `derived`)."""
        self.orig_shape, self.boxes, self.feats = (0, 0), [], {}
        if path is not None:
            z = np.load(path)
            self.orig_shape = tuple(int(x) for x in z["orig_shape"])
            splits = np.cumsum(z["n"])[:-1]
            self.boxes = np.split(z["boxes"], splits)
            self.feats = {k[6:]: np.split(z[k], splits) for k in z.files if k.startswith("feats_")}

    def derived(self, boxes: list[np.ndarray], feats: dict[str, list[np.ndarray]]) -> Cache:
        """A cache of the same images with other per-frame boxes and features (e.g. through an occluder)."""
        out = Cache(None)
        out.orig_shape, out.boxes, out.feats = self.orig_shape, boxes, feats
        return out


# ---------------------------------------------------------------------------------------------------------------------
# Replay and evaluation


def mot_line(frame: int, track_id: float, xyxy: list[float], score: float) -> str:
    """One MOTChallenge result row: ``frame,id,left,top,width,height,conf,-1,-1,-1``."""
    x1, y1, x2, y2 = xyxy
    return f"{frame},{int(track_id)},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},{score:.4f},-1,-1,-1\n"


def parse_tracker(spec: str) -> tuple[str, dict]:
    """``botsort_native_reid.yaml:descriptor=anchor,proximity=iou`` -> (yaml, overrides)."""
    yaml, _, rest = spec.partition(":")
    overrides = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        overrides[key] = yaml_value(value)
    return yaml, overrides


def yaml_value(value: str):
    """Interpret a command-line value as YAML would (numbers, booleans, strings)."""
    import yaml

    return yaml.safe_load(value)


def tracker_config(spec: str):
    """The checked tracker config (`ultralytics.trackers.config.load`) of a shipped or user YAML plus overrides."""
    from ultralytics.trackers.config import load

    yaml, overrides = parse_tracker(spec)
    return load(yaml, overrides)


def tracker_keys(spec: str) -> dict:
    """The keys of a tracker spec's YAML with its overrides, as a tracker YAML for ``model.track`` would hold them."""
    yaml, overrides = parse_tracker(spec)
    return {**YAML.load(check_yaml(yaml)), **overrides}


def replay(seq: Sequence, cache: Cache, spec: str, out: Path) -> tuple[Path, dict[str, float]]:
    """Replay cached detections through a tracker config; write MOTChallenge tracks.

    Returns:
        (tuple[Path, dict[str, float]]): The track file, and the tracker's ms per frame in all (``total``) and by part
            (`ultralytics.trackers.utils.clock`).
    """
    from ultralytics.engine.results import Boxes
    from ultralytics.trackers.track import TRACKER_MAP
    from ultralytics.trackers.utils.clock import TrackerClock

    cfg = tracker_config(spec)
    cfg.frame_rate = cfg.frame_rate or seq.fps  # what model.track takes from a video's own rate
    native = getattr(cfg, "reid", "off") == "native"
    kind = getattr(cfg, "descriptor", "anchor")
    tracker = TRACKER_MAP[cfg.tracker_type](args=cfg)
    lines = []
    with TrackerClock(tracker) as clock:
        for f, frame in enumerate(seq.frames()):
            if f >= len(cache.boxes):
                break
            det = Boxes(cache.boxes[f], cache.orig_shape)
            feats = cache.feats[kind][f] if native else None
            tracks = tracker.update(det, frame, feats=feats)
            lines += [mot_line(f + 1, t[4], t[:4], t[5]) for t in tracks.tolist()]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(lines))
    return out, clock.ms_per_frame()


def benchmark_rules(gt: Path) -> str:
    """The MOTChallenge rules a ground-truth file asks for: ``MOT17`` for MOT16/MOT17 files, ``MOT15`` otherwise.

    MOT16/MOT17 ground truth has 9 columns ``frame,id,x,y,w,h,consider,class,visibility`` with integer classes 1-13
    (pedestrians, and distractors, reflections, static people, occluders to be ignored); MOT15 has 10 columns ending in
    world coordinates (7 or 6 columns in some published sequences: `ultralytics.trackers.sequences.read_gt`). Under
    MOT17 rules TrackEval removes tracker boxes matched to distractor rows before scoring, instead of counting them as
    false positives.

    Args:
        gt (Path): The sequence's ``gt.txt``.

    Returns:
        (str): ``MOT17`` or ``MOT15`` (TrackEval's ``BENCHMARK``; MOT16 and MOT17 rules are the same).
    """
    return read_gt(gt)[1]


def summary(res: dict) -> dict:
    """The headline numbers of TrackEval results (and of the identity analysis) of one sequence or combined."""
    out = {
        "HOTA": float(np.mean(res["HOTA"]["HOTA"])),
        "IDF1": float(res["Identity"]["IDF1"]),
        "MOTA": float(res["CLEAR"]["MOTA"]),
        "IDSW": int(res["CLEAR"]["IDSW"]),
        "FP": int(res["CLEAR"]["CLR_FP"]),
        "FN": int(res["CLEAR"]["CLR_FN"]),
    }
    if "oracle" in res:
        out["oracle IDF1"] = float(res["oracle"]["IDF1"])
        out["reid"] = res["reid"]
    return out


def evaluate(
    seqs: list[Sequence], results: dict[str, dict[str, Path]], gap: int = 5, groups: dict[str, list[str]] | None = None
) -> dict[str, dict]:
    """TrackEval HOTA, CLEAR and Identity per tracker, per sequence and combined; IoU threshold 0.5.

    Each sequence is scored under the MOTChallenge rules its ground truth asks for (`benchmark_rules`). Beside the
    metrics, every tracker gets its oracle IDF1 (the same output boxes with perfect identities, `oracle_data`) and its
    re-identification counts (`reid_events`), from the same preprocessed data.

    Args:
        seqs (list[Sequence]): The sequences.
        results (dict[str, dict[str, Path]]): Tracker name -> sequence name -> MOTChallenge result file.
        gap (int): Frames a person or a track must be unmatched for its return to count as a re-identification.
        groups (dict[str, list[str]], optional): Group name -> names of its sequences, each group also combined.

    Returns:
        (dict[str, dict]): Tracker name -> combined `summary` numbers, plus ``sequences``: sequence name -> `summary`,
            and ``groups``: group name -> `summary` when ``groups`` are given.
    """
    try:
        import trackeval
    except ImportError as e:
        raise ImportError("the benchmark needs TrackEval: pip install 'ultralytics-reid[eval]'") from e
    from collections import Counter

    from ultralytics.trackers.identities import clear_matches, oracle_data, reid_events

    metrics = [
        trackeval.metrics.HOTA(),
        trackeval.metrics.CLEAR({"PRINT_CONFIG": False}),
        trackeval.metrics.Identity({"PRINT_CONFIG": False}),
    ]
    identity = metrics[-1]
    per_seq = {name: {} for name in results}  # tracker -> sequence -> raw TrackEval results and identity analysis
    with tempfile.TemporaryDirectory() as tmp:
        gt_root, tr_root = Path(tmp, "gt"), Path(tmp, "trackers")
        rules = {}
        for seq in seqs:  # every published layout as MOT16 rows, which TrackEval reads under either rules
            rows, rules[seq.name] = read_gt(seq.gt)
            write_gt(gt_root / seq.name / "gt" / "gt.txt", rows)
        for name, files in results.items():
            for seq_name, file in files.items():
                dest = tr_root / name / "data" / f"{seq_name}.txt"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, dest)
        for benchmark in sorted(set(rules.values())):
            group = [seq for seq in seqs if rules[seq.name] == benchmark]
            dataset = trackeval.datasets.MotChallenge2DBox(
                {
                    "GT_FOLDER": str(gt_root),
                    "TRACKERS_FOLDER": str(tr_root),
                    "BENCHMARK": benchmark,
                    "SKIP_SPLIT_FOL": True,
                    "TRACKERS_TO_EVAL": list(results),
                    "SEQ_INFO": {s.name: s.length for s in group},
                    "GT_LOC_FORMAT": "{gt_folder}/{seq}/gt/gt.txt",
                    "PRINT_CONFIG": False,
                }
            )
            for name in results:
                for seq in group:
                    data = dataset.get_preprocessed_seq_data(dataset.get_raw_seq_data(name, seq.name), "pedestrian")
                    matches = clear_matches(data)
                    res = {m.get_name(): m.eval_sequence(data) for m in metrics}
                    res["oracle"] = identity.eval_sequence(oracle_data(data, matches))
                    res["reid"] = reid_events(data, seq.fps, gap, matches)
                    per_seq[name][seq.name] = res

    def combine(by_seq: dict) -> dict:
        out = {m.get_name(): m.combine_sequences({s: r[m.get_name()] for s, r in by_seq.items()}) for m in metrics}
        out["oracle"] = identity.combine_sequences({s: r["oracle"] for s, r in by_seq.items()})
        out["reid"] = sum((r["reid"] for r in by_seq.values()), Counter())
        return summary(out)

    table = {}
    for name, by_seq in per_seq.items():
        table[name] = {**combine(by_seq), "sequences": {s.name: summary(by_seq[s.name]) for s in seqs}}
        if groups:
            table[name]["groups"] = {g: combine({s: by_seq[s] for s in members}) for g, members in groups.items()}
    return table


def markdown(table: dict[str, dict[str, float]], extra: dict[str, dict[str, str]] | None = None) -> str:
    """A markdown table of metrics per tracker."""
    cols = list(METRICS) + sorted({k for v in (extra or {}).values() for k in v})
    lines = ["| tracker | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for name, m in table.items():
        cells = [
            f"{m[c]:.3f}" if isinstance(m.get(c), float) else str(m.get(c, (extra or {}).get(name, {}).get(c, "")))
            for c in cols
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(table: dict[str, dict[str, float]], path: Path, title: str) -> None:
    """Bar chart of HOTA, IDF1 and MOTA per tracker."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(table)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(names)), 4), tight_layout=True)
    for i, metric in enumerate(("HOTA", "IDF1", "MOTA")):
        ax.bar(x + (i - 1) * 0.27, [table[n][metric] for n in names], 0.27, label=metric)
    ax.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
    ax.set_title(title)
    ax.legend()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------------------------------
# Descriptor separability


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve from ranks (Mann-Whitney U)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _people(seq: Sequence) -> np.ndarray:
    """The ground-truth rows of the people to track (not ignored, pedestrian class) of a sequence."""
    gt, _ = read_gt(seq.gt)
    return gt[(gt[:, 6] != 0) & (gt[:, 7] == 1)]


def _unit(x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` (n, D) scaled to unit length (rows of zero length left at zero)."""
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _gt_matches(gt: np.ndarray, frame: int, boxes: np.ndarray, iou: float = 0.5) -> list[tuple[int, int]]:
    """(detection, person) pairs of a frame: detections ``(n, 4+)`` xyxy matched to the people of ``gt``, IoU >= iou."""
    import torch

    from ultralytics.trackers.utils.matching import linear_assignment
    from ultralytics.utils.metrics import box_iou

    g = gt[gt[:, 0] == frame]
    if not len(g) or not len(boxes):
        return []
    gb = g[:, 2:6].copy()
    gb[:, 2:] += gb[:, :2]
    overlap = box_iou(torch.from_numpy(boxes[:, :4]).float(), torch.from_numpy(gb).float()).numpy()
    matches, _, _ = linear_assignment(1 - overlap, thresh=1 - iou)
    return [(int(d), int(g[t, 1])) for d, t in matches]


def descriptor_auc(seq: Sequence, cache: Cache, min_gap: int = 5, pairs: int = 200_000, seed: int = 0) -> dict:
    """ROC AUC of cosine similarity, same vs different person, per descriptor.

    Detections are matched to the ground truth (IoU >= 0.5); pairs are sampled at least ``min_gap`` frames apart.
    """
    gt = _people(seq)
    frames, ids, rows = [], [], {k: [] for k in cache.feats}
    for f, boxes in enumerate(cache.boxes, 1):
        for d, person in _gt_matches(gt, f, boxes):
            frames.append(f)
            ids.append(person)
            for k in rows:
                rows[k].append(cache.feats[k][f - 1][d])
    frames, ids = np.array(frames), np.array(ids)
    rng = np.random.default_rng(seed)
    i, j = rng.integers(0, len(ids), (2, pairs))
    keep = np.abs(frames[i] - frames[j]) >= min_gap
    i, j = i[keep], j[keep]
    same = ids[i] == ids[j]
    out = {"detections": len(ids), "pairs": int(len(i)), "same": int(same.sum())}
    for k, r in rows.items():
        x = _unit(np.asarray(r, dtype=np.float64))
        out[k] = roc_auc((x[i] * x[j]).sum(1), same)
    return out


def oracle_appearance(seq: Sequence, cache: Cache, beta: float) -> Cache:
    """The cache with every descriptor mixed with the ground-truth identity: how far better appearance would go.

    Each detection's feature ``f`` (any descriptor) becomes ``sqrt(1 - beta**2) * f / |f| + beta * e``, normalized,
    where ``e`` is a random unit vector of the person the detection is matched to (IoU >= 0.3, the people to track of
    the ground truth: also a box too far off its person to count at scoring's 0.5), the same for that person in every
    frame; a detection matched to nobody (a false positive, a distractor) keeps its own feature. At ``beta`` 0 the
    features are the descriptor's own; at 1 the matched detections tell everyone apart perfectly; between, the
    separability grows with ``beta`` (``auc --oracle-appearance`` measures it). A box that covers two people is matched
    to one of them and takes that one's identity, which real appearance cannot give it. A tracker's results on such
    features are a ceiling of what its association would make of better appearance, never a result of the descriptor.

    Args:
        seq (Sequence): The sequence, for its ground truth.
        cache (Cache): Its detections and features.
        beta (float): Weight of the identity, in [0, 1].

    Returns:
        (Cache): The same boxes with the mixed features (float32).
    """
    gt, identity = _people(seq), {}

    def identity_of(who: int, dim: int) -> np.ndarray:
        """The person's random unit vector of length ``dim``, drawn once."""
        if (who, dim) not in identity:
            e = np.random.default_rng([who, dim]).normal(size=dim)
            identity[who, dim] = e / np.linalg.norm(e)
        return identity[who, dim]

    mixed = {k: [] for k in cache.feats}
    for f, boxes in enumerate(cache.boxes, 1):
        person = dict(_gt_matches(gt, f, boxes, iou=0.3))  # a box too far off its person to score is still theirs
        for kind, rows in cache.feats.items():
            x = _unit(np.asarray(rows[f - 1], dtype=np.float64))  # (n, D), n = 0 on a frame without detections
            for i, who in person.items():  # a detection of nobody keeps its own feature
                x[i] = np.sqrt(1 - beta**2) * x[i] + beta * identity_of(who, x.shape[1])
            mixed[kind].append(_unit(x).astype(np.float32))
    return cache.derived(cache.boxes, mixed)


# ---------------------------------------------------------------------------------------------------------------------
# Commands


def load(args) -> tuple[list[Sequence], dict[str, Cache]]:
    """Sequences and their detection caches (built where missing), and each seen through every ``--occluder`` band.

    Every sequence folder and ground truth is checked before any detection runs (one line for a bad one). Occluded
    sequences are named ``<sequence>+occ<lo>-<hi>`` (percent of the image width) and share their sequence's frames.
    With ``--clips N`` every sequence, occluded ones too, is replaced by its clips of N frames (`sequences.clips`,
    named ``<sequence>+clip<a>-<b>``), each replayed from a fresh tracker. With ``--oracle-appearance`` every cache's
    features are mixed with the ground-truth identity (`oracle_appearance`).
    """
    seqs = [Sequence(p) for p in args.seqs]
    for seq in seqs:
        read_gt(seq.gt)
    names = [s.name for s in seqs]
    if len(set(names)) < len(names):
        raise ValueError(f"sequence names must be unique, got {names}")
    caches = {s.name: Cache(build_cache(s, args.model, args.imgsz, args.conf, Path(args.cache))) for s in seqs}
    if (beta := getattr(args, "oracle_appearance", None)) is not None:
        caches = {s.name: oracle_appearance(s, caches[s.name], beta) for s in seqs}
    occluded = []
    for seq in seqs:
        cache = caches[seq.name]
        for band in getattr(args, "occluder", None) or []:
            occ, boxes, feats = band.apply(seq, cache.boxes, cache.feats, cache.orig_shape[1], Path(args.out) / "gt")
            caches[occ.name] = cache.derived(boxes, feats)
            occluded.append(occ)
    if not getattr(args, "clips", None):
        return seqs + occluded, caches
    cut = []
    for seq in seqs + occluded:
        cache = caches.pop(seq.name)
        for clip, boxes, feats in clips(seq, cache.boxes, cache.feats, args.clips, Path(args.out) / "gt"):
            caches[clip.name] = cache.derived(boxes, feats)
            cut.append(clip)
    return cut, caches


def sequence_groups(seqs: list[Sequence]) -> dict[str, list[str]]:
    """Groups of sequences each report also pools: per variant and per occluder band, where there are several.

    Returns:
        (dict[str, list[str]]): ``unoccluded`` and ``occluded`` (all bands) and one per band (``occ30-40``) when some
            sequences are occluded; ``variant <kind>`` per variant of the unoccluded sequences when there are several.
    """
    groups = {}
    plain = [s for s in seqs if s.occluder is None]
    variants = sorted({s.variant for s in plain})
    if len(variants) > 1:
        groups.update({f"variant {v}": [s.name for s in plain if s.variant == v] for v in variants})
    bands = sorted({s.occluder for s in seqs if s.occluder is not None}, key=lambda b: (b.lo, b.hi))
    if bands:
        groups["unoccluded"] = [s.name for s in plain]
        groups["occluded"] = [s.name for s in seqs if s.occluder is not None]
        groups.update({b.label: [s.name for s in seqs if s.occluder == b] for b in bands})
    return groups


def spec_name(spec: str) -> str:
    """``botsort_native_reid.yaml:reid=off`` -> ``botsort_native_reid[reid=off]``: a tracker spec's name in reports."""
    return spec.replace(".yaml", "").replace(":", "[", 1) + ("]" if ":" in spec else "")


def reid_off_spec(spec: str) -> str | None:
    """The same tracker spec with ReID off, or None when its ReID is off already (or it has no ReID mode)."""
    cfg = tracker_config(spec)
    if getattr(cfg, "reid", "off") == "off":
        return None
    yaml, overrides = parse_tracker(spec)
    overrides = {**overrides, "reid": "off"}
    if "with_reid" in {**YAML.load(check_yaml(yaml)), **overrides}:  # upstream's key must agree with 'reid: off'
        overrides["with_reid"] = False
    return f"{yaml}:" + ",".join(f"{k}={v}" for k, v in overrides.items())


def same_config(a: str, b: str) -> bool:
    """Whether two tracker specs give the same config once upstream's ReID keys are mapped onto ``reid``."""
    return tracker_config(a) == tracker_config(b)


def run_trackers(seqs, caches, specs: list[str], out: Path, desc: str = "replay", gap: int = 5) -> tuple[dict, dict]:
    """Replay each tracker spec on every sequence; return (metrics table, ms per frame per tracker).

    The ms per frame of a tracker is the mean over the sequences of its ``update`` time per frame (``tracker
    ms/frame``); the same mean of each part of it (`ultralytics.trackers.utils.clock`) is the table's ``time``.
    """
    from tqdm import tqdm

    results, ms = {}, {}
    jobs = [(spec, seq) for spec in specs for seq in seqs]
    for spec, seq in tqdm(jobs, desc=desc, unit="run"):
        name = spec_name(spec)
        file, t = replay(seq, caches[seq.name], spec, out / name / f"{seq.name}.txt")
        results.setdefault(name, {})[seq.name] = file
        ms.setdefault(name, []).append(t)
    table = evaluate(seqs, results, gap, groups=sequence_groups(seqs))
    for name, times in ms.items():
        table[name]["time"] = {part: float(np.mean([t[part] for t in times])) for part in times[0]}
    return table, {k: {"tracker ms/frame": f"{v['time']['total']:.2f}"} for k, v in table.items()}


def time_markdown(times: dict[str, dict[str, float]], label: str = "tracker") -> str:
    """A markdown table of ms per frame, in all and by part (`TrackerClock.ms_per_frame`), one row per name."""
    from ultralytics.trackers.utils.clock import PARTS

    lines = [f"| {label} | total | " + " | ".join(PARTS) + " |", "|---|" + "---|" * (len(PARTS) + 1)]
    for name, ms in times.items():
        lines.append(f"| {name} | " + " | ".join(f"{ms[p]:.2f}" for p in ("total", *PARTS)) + " |")
    return "\n".join(lines) + "\n"


def cmd_run(args) -> None:
    """Replay tracker configs on cached detections; save markdown reports and plots.

    Every config with ReID on is also run with ``reid: off`` (the honest baseline for what ReID adds), and the reports
    give, beside the metrics combined and per sequence, each run's association headroom (oracle IDF1 of its own boxes)
    and re-identification counts (see `ultralytics.trackers.identities`).
    """
    from ultralytics.trackers.identities import (
        groups_markdown,
        headroom_markdown,
        plot_identities,
        reid_markdown,
        sequences_markdown,
        variants_markdown,
    )

    seqs, caches = load(args)
    out = Path(args.out)
    specs, reid_off = list(args.trackers), {}
    for spec in args.trackers:
        if (off := reid_off_spec(spec)) is not None:
            twin = next((s for s in specs if same_config(s, off)), None)  # e.g. botsort.yaml for its with_reid=True
            specs += [] if twin else [off]
            reid_off[spec_name(spec)] = spec_name(twin or off)
    table, ms = run_trackers(seqs, caches, specs, out / "tracks", gap=args.gap)
    names = ", ".join(s.name for s in seqs)
    sections = [
        f"## Combined ({names})\n\n{markdown(table, ms)}",
        f"## IDF1 per sequence (ID switches)\n\n{sequences_markdown(table)}",
    ]
    if groups := next(iter(table.values())).get("groups"):
        sections.append(
            "## Groups\n\nIDF1 (ID switches) pooled over each group of sequences; for a ReID config, the share of the "
            f"association headroom of its reid: off twin it closes.\n\n{groups_markdown(table, reid_off)}\n"
            + "".join(f"- {g}: {', '.join(m)}\n" for g, m in sequence_groups(seqs).items() if g in groups)
        )
    bases = {}
    for s in seqs:
        if s.occluder is None:
            bases.setdefault(s.base, []).append(s.name)
    if any(len(v) > 1 for v in bases.values()):
        sections.append(
            "## Variants\n\nEach sequence over its variants (encodings, frame rates).\n\n"
            + variants_markdown(table, bases, reid_off)
        )
    sections += [
        "## Association headroom\n\nOracle IDF1: the same output boxes with perfect identities. Room closed: "
        "(IDF1 - IDF1 with reid: off) / (oracle IDF1 with reid: off - IDF1 with reid: off).\n\n"
        + headroom_markdown(table, reid_off),
        f"## Re-identification\n\n{reid_markdown(table, args.gap)}",
        "## Tracker time per frame\n\nms of `update` per frame, mean over the sequences, in all and by part: "
        "camera-motion compensation, descriptor (detections to tracks; native descriptors are computed in the "
        "predictor), Kalman filter, association, ReID decisions, the rest (`ultralytics.trackers.utils.clock`). Image "
        f"reading is not counted.\n\n{time_markdown({name: m['time'] for name, m in table.items()})}",
    ]
    text = oracle_note(args) + "\n\n".join(sections)
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(text)
    plot(table, out / "results.png", names)
    plot_identities(table, out / "identities.png", names)
    LOGGER.info(f"wrote {out / 'results.md'}, {out / 'results.png'} and {out / 'identities.png'}")


def cmd_tune(args) -> None:
    """Grid search over tracker config keys on cached detections; print the configs sorted by IDF1, and per sequence."""
    from ultralytics.trackers.identities import groups_markdown, sequences_markdown

    seqs, caches = load(args)
    keys = [g.split("=", 1)[0] for g in args.grid]
    values = [[yaml_value(v) for v in g.split("=", 1)[1].split(",")] for g in args.grid]
    sep = "," if ":" in args.tracker else ":"
    specs = [
        args.tracker + sep + ",".join(f"{k}={v}" for k, v in zip(keys, combo)) for combo in itertools.product(*values)
    ]
    table, _ = run_trackers(seqs, caches, specs, Path(args.out) / "tracks", desc="tune")
    ranked = dict(sorted(table.items(), key=lambda kv: (-kv[1]["IDF1"], kv[1]["IDSW"])))
    text = oracle_note(args) + markdown(ranked) + "\nIDF1 per sequence (ID switches):\n\n" + sequences_markdown(ranked)
    if "groups" in next(iter(ranked.values())):
        text += "\nIDF1 per group of sequences (ID switches):\n\n" + groups_markdown(ranked, {})
    print(text)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "tune.md").write_text(text)


def cmd_auc(args) -> None:
    """Separability (ROC AUC) of every native descriptor on each sequence."""
    seqs, caches = load(args)
    print(oracle_note(args), end="")
    for seq in seqs:
        res = descriptor_auc(seq, caches[seq.name])
        kinds = [k for k in res if k not in {"detections", "pairs", "same"}]
        print(f"{seq.name}: {res['detections']} matched detections, {res['pairs']} pairs ({res['same']} same person)")
        print("| descriptor | AUC |\n|---|---|\n" + "".join(f"| {k} | {res[k]:.3f} |\n" for k in kinds))


def cmd_variants(args) -> None:
    """Write each sequence from other encodings or frame rates (`sequences.make_variant`); print the folders."""
    seqs = [Sequence(p) for p in args.seqs]
    for seq in seqs:
        read_gt(seq.gt)
    for seq in seqs:
        for kind in args.kinds:
            print(make_variant(seq, kind, Path(args.out)))


def cmd_cache(args) -> None:
    """Build the detection caches."""
    _, caches = load(args)
    for name in caches:
        LOGGER.info(f"cached {name}")


def cmd_e2e(args) -> None:
    """Track each sequence with ``model.track`` itself (no cache) and evaluate."""
    from ultralytics import YOLO

    seqs = [Sequence(p) for p in args.seqs]
    for seq in seqs:  # a ground truth TrackEval cannot score fails here, not after tracking
        read_gt(seq.gt)
    out = Path(args.out)
    results = {}
    for spec in args.trackers:
        name = spec.replace(".yaml", "")
        keys = tracker_keys(spec)
        with tempfile.TemporaryDirectory() as tmp:
            for seq in seqs:
                cfg = Path(tmp) / f"{seq.name}.yaml"  # an image folder has no frame rate of its own: the sequence's
                YAML.save(cfg, {"frame_rate": seq.fps, **keys})
                model = YOLO(args.model)
                lines = []
                stream = model.track(
                    seq.source,
                    tracker=str(cfg),
                    imgsz=args.imgsz,
                    conf=args.conf,
                    stream=True,
                    persist=True,
                    verbose=False,
                )  # persist: one track set across the image files
                for f, r in enumerate(stream, 1):
                    if r.boxes.is_track:
                        rows = zip(r.boxes.xyxy.tolist(), r.boxes.id.tolist(), r.boxes.conf.tolist())
                        lines += [mot_line(f, tid, box, score) for box, tid, score in rows]
                    if f >= seq.length:
                        break
                file = out / "e2e" / name / f"{seq.name}.txt"
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_text("".join(lines))
                results.setdefault(name, {})[seq.name] = file
    table = evaluate(seqs, results)
    print(markdown(table))


def ratio_interval(times: np.ndarray, predict: np.ndarray, level: float = 0.95, n: int = 2000) -> tuple[float, float]:
    """Bootstrap interval of median(times) / median(predict) over frames, each frame resampled with its predict time.

    Args:
        times (np.ndarray): Seconds per frame of one mode, in frame order.
        predict (np.ndarray): Seconds per frame of predict on the same frames, same order.
        level (float): Coverage of the interval.
        n (int): Bootstrap resamples.

    Returns:
        (tuple[float, float]): Lower and upper bound of the ratio.
    """
    idx = np.random.default_rng(0).integers(0, len(times), (n, len(times)))
    ratios = np.median(times[idx], axis=1) / np.median(predict[idx], axis=1)
    low, high = np.percentile(ratios, [50 * (1 - level), 50 * (1 + level)])
    return float(low), float(high)


def cmd_latency(args) -> None:
    """Per-frame cost of predict, tracking without ReID, with native ReID and with an external encoder, interleaved.

    The three tracking modes run the same tracker config (``--native``): with ``reid: off``, as it is, and with
    ``reid:`` naming the encoder, so that their differences are the cost of ReID alone. Each frame of the first
    sequence is run through every mode of a model format in turn (rotating the order), each mode with its own model
    instance, so that the modes compared see the same frames under the same machine load. Reports the median ms/frame
    and its ratio to predict with the same model file, with a 95 % bootstrap interval (frames resampled with their
    paired predict times; see `ratio_interval`). The external encoder is a YOLO classifier built from ``--encoder``
    (weights do not matter for timing). ``--formats`` also exports the detector to each format and times predict,
    tracking without ReID and with native ReID on the exported model; formats are timed one after another, so that
    one runtime's worker threads do not compete with another's. ``--trackers`` adds a tracking mode for each other
    tracker config (e.g. ByteTrack with the same thresholds), timed in the same rotation. Every config tracks at the
    sequence's frame rate (frames given one at a time carry none). The tracker's own ``update`` time of each tracking
    mode is also split into its parts (`ultralytics.trackers.utils.clock`): in ``model.track`` camera-motion
    compensation starts while the detector infers, so its part is what the update still waits for.
    """
    import torch
    from tqdm import tqdm

    from ultralytics import YOLO
    from ultralytics.trackers.utils.clock import TrackerClock

    for spec in args.trackers:
        tracker_config(spec)  # a bad YAML or key: one line, before any model runs
    seq = Sequence(args.seqs[0])
    frames = [f for _, f in zip(range(args.frames), seq.frames())]
    with tempfile.TemporaryDirectory() as tmp:
        encoder = Path(tmp) / "encoder.pt"
        YOLO(args.encoder).save(encoder)
        weights = {"pt": str(args.model)}
        for fmt in args.formats:  # export a copy, so nothing is written beside the user's weights
            copy = Path(tmp) / f"{fmt}-{Path(args.model).name}"
            shutil.copy(args.model, copy)
            weights[fmt] = YOLO(copy).export(format=fmt, imgsz=args.imgsz, verbose=False)
        native = YAML.load(check_yaml(args.native))
        base = {k: v for k, v in native.items() if k not in {"with_reid", "model"}}  # the same config, other ReID
        configs = {}  # name -> tracker YAML written for it
        others = {spec_name(spec): tracker_keys(spec) for spec in args.trackers}  # name in the report -> config
        for i, (name, cfg) in enumerate(
            {
                "no ReID": {**base, "reid": "off"},
                "native ReID": native,
                "external encoder": {**base, "reid": str(encoder)},
                **others,
            }.items()
        ):
            configs[name] = str(Path(tmp) / f"{i}.yaml")
            YAML.save(configs[name], {"frame_rate": seq.fps, **cfg})  # a frame given alone has no frame rate
        kw = dict(imgsz=args.imgsz, conf=args.conf, verbose=False)

        def step(model, tracker: str | None, frame: np.ndarray) -> None:
            """Predict (tracker None) or track one frame."""
            model.predict(frame, **kw) if tracker is None else model.track(frame, tracker=tracker, persist=True, **kw)

        times, parts = {}, {}
        for fmt, path in weights.items():
            suffix = "" if fmt == "pt" else f" [{fmt}]"
            modes = {f"predict{suffix}": None}  # name -> tracker YAML, None for predict
            modes.update({f"track, {n}{suffix}": configs[n] for n in configs if fmt == "pt" or n != "external encoder"})
            models = {name: YOLO(path, task="detect") for name in modes}
            for name in modes:  # warm-up
                for frame in frames[:3]:
                    step(models[name], modes[name], frame)
            if args.threads:  # after the predictors' setup, which sets Ultralytics' own CPU thread count
                torch.set_num_threads(args.threads)
            group = {name: [] for name in modes}
            with contextlib.ExitStack() as stack:
                trackers = {n: models[n].predictor.trackers[0] for n in modes if modes[n] is not None}
                clocks = {n: stack.enter_context(TrackerClock(t)) for n, t in trackers.items()}
                for i, frame in enumerate(tqdm(frames, desc=f"latency {fmt}", file=sys.stderr)):
                    for name in list(modes)[i % len(modes) :] + list(modes)[: i % len(modes)]:
                        t0 = time.perf_counter()
                        step(models[name], modes[name], frame)
                        group[name].append(time.perf_counter() - t0)
            parts.update({name: clock.ms_per_frame() for name, clock in clocks.items()})
            predict = np.array(group[f"predict{suffix}"])
            times.update({name: (np.array(t), predict) for name, t in group.items()})
    device = "cuda" if torch.cuda.is_available() else f"CPU, {torch.get_num_threads()} torch threads"
    lines = [
        f"{len(frames)} frames of {seq.name}, imgsz {args.imgsz}, {device}",
        "",
        "| mode | ms/frame (median) | ratio to predict (same format), 95 % interval |",
        "|---|---|---|",
    ]
    for name, (t, predict) in times.items():
        ratio = f"{np.median(t) / np.median(predict):.3f}"
        if not name.startswith("predict"):
            ratio += " ({:.3f}–{:.3f})".format(*ratio_interval(t, predict))
        lines.append(f"| {name} | {1000 * np.median(t):.1f} | {ratio} |")
    lines += [
        "",
        "The tracker's own update, mean ms per frame, in all and by part (`ultralytics.trackers.utils.clock`):",
        "",
    ]
    text = "\n".join(lines) + "\n" + time_markdown(parts, label="mode")
    print(text)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "latency.md").write_text(text)


class DefaultsHelp(argparse.ArgumentDefaultsHelpFormatter):
    """Help that shows each option's default, except for required options and options without one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        """The help text, with ``(default: ...)`` where there is a default to show."""
        if action.required or action.default is None or "%(default)" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m ultralytics.trackers.eval``."""
    p = argparse.ArgumentParser(
        prog="python -m ultralytics.trackers.eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)
    fmt = DefaultsHelp  # every option with a default shows it
    s = sub.add_parser(
        "prepare", help="make a sequence folder from a video and its MOTChallenge gt.txt", formatter_class=fmt
    )
    s.add_argument("--video", type=Path, required=True, help="the video whose frames the ground truth numbers from 1")
    s.add_argument("--gt", type=Path, required=True, help="MOTChallenge gt.txt (frame,id,x,y,w,h,conf,...)")
    s.add_argument("--name", required=True, help="sequence name, also the folder name under --out")
    s.add_argument("--out", type=Path, default=Path("data"), help="folder that receives the sequence folder")
    s.add_argument(
        "--fps",
        type=float,
        help="the recording's frame rate; default: seqinfo.ini beside the gt, else the video header (can be wrong)",
    )
    s = sub.add_parser(
        "variants",
        help="write sequences from other encodings (H.264 quality, JPEG, resized) or frame rates, to check results",
        description=cmd_variants.__doc__,
        formatter_class=fmt,
    )
    s.set_defaults(func=cmd_variants)
    s.add_argument("--seqs", nargs="+", required=True, help="sequence folders (MOTChallenge layout, see prepare)")
    s.add_argument(
        "--kinds",
        nargs="+",
        type=variant_arg,
        default=["crf28", "jpeg75", "scale0.9"],
        help="crfN: H.264 at CRF N; jpegQ: JPEG frames of quality Q; scaleF: frames resized by F, gt scaled; everyN, "
        "everyNoK: every N-th frame (from frame K + 1) at 1/N of the frame rate",
    )
    s.add_argument("--out", type=Path, default=Path("data"), help="folder that receives <sequence>-<kind> folders")
    for name, fn, doc in (
        ("cache", cmd_cache, "detect once per sequence and cache boxes and descriptors"),
        ("auc", cmd_auc, "separability (ROC AUC) of each native descriptor"),
        ("run", cmd_run, "replay tracker configs; table, plot"),
        ("tune", cmd_tune, "grid search over config keys"),
        ("e2e", cmd_e2e, "track with model.track itself and evaluate"),
        ("latency", cmd_latency, "per-frame cost of predict / track / native ReID / external encoder, interleaved"),
    ):
        s = sub.add_parser(name, help=doc, description=doc, formatter_class=fmt)
        s.set_defaults(func=fn)
        s.add_argument("--model", required=True, help="detector weights (.pt or an exported model)")
        s.add_argument("--seqs", nargs="+", required=True, help="sequence folders (MOTChallenge layout, see prepare)")
        s.add_argument("--imgsz", type=int, default=640, help="inference size in pixels")
        s.add_argument("--conf", type=float, default=0.1, help="detection confidence threshold of the cached boxes")
        s.add_argument("--cache", default="runs/eval/cache", help="detection cache folder")
        s.add_argument("--out", default="runs/eval", help="output folder (results.md, plots, track files)")
        if name in {"run", "e2e"}:
            s.add_argument("--trackers", nargs="+", required=True, help="tracker configs, each YAML[:key=value,...]")
        if name == "run":
            s.add_argument(
                "--gap", type=int, default=5, help="frames unmatched before a return counts as re-identification"
            )
        if name in {"run", "tune"}:
            s.add_argument(
                "--occluder",
                nargs="+",
                type=occluder_arg,
                default=[],
                metavar="LO,HI",
                help="virtual pillars: each band (fractions of the width) adds every sequence with the detections "
                "centred in it removed and the people centred in it ignored, e.g. 0.3,0.4 0.6,0.7",
            )
            s.add_argument(
                "--clips",
                type=clips_arg,
                metavar="N",
                help="score every sequence (and every occluded one) as consecutive clips of N frames instead, each "
                "tracked from a fresh start: how a config does in the first seconds of a video (default: off)",
            )
        if name in {"run", "tune", "auc"}:
            s.add_argument(
                "--oracle-appearance",
                type=beta_arg,
                metavar="BETA",
                help="mix every descriptor with the ground-truth identity at this weight (0-1): a ceiling of what "
                "better appearance would give, never a result (default: off)",
            )
        if name == "latency":
            s.add_argument("--frames", type=int, default=100, help="frames of the first sequence to time")
            s.add_argument("--native", default="botsort_native_reid.yaml", help="native ReID tracker YAML")
            s.add_argument("--encoder", default="yolo11n-cls.yaml", help="external encoder (timing only)")
            s.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: Ultralytics' default)")
            s.add_argument("--formats", nargs="*", default=[], help="also time exported models, e.g. onnx openvino")
            s.add_argument(
                "--trackers",
                nargs="*",
                default=[],
                help="also time tracking with these configs, each YAML[:key=value,...] (e.g. ByteTrack's)",
            )
        if name == "tune":
            s.add_argument("--tracker", required=True, help="base tracker YAML")
            s.add_argument("--grid", nargs="+", required=True, help="key=v1,v2,... per swept key")
    args = p.parse_args(argv)
    try:
        if args.command == "prepare":
            print(prepare(args.video, args.gt, args.name, args.out, args.fps))
        else:
            args.func(args)
    except (FileNotFoundError, ValueError) as e:  # bad input: one line, before any detection where it can be seen
        p.exit(2, f"{p.prog} {args.command}: error: {e}\n")
    return 0


def oracle_note(args) -> str:
    """The line that heads a report made with ``--oracle-appearance``, so that it is never taken for a result."""
    beta = getattr(args, "oracle_appearance", None)
    if beta is None:
        return ""
    return (
        f"**Oracle appearance, beta {beta:g}**: every descriptor mixed with the ground-truth identity "
        "(`oracle_appearance`); a ceiling of what the trackers make of such appearance, not a result.\n\n"
    )


def beta_arg(text: str) -> float:
    """``--oracle-appearance`` value: the identity's weight, a number in [0, 1]."""
    try:
        beta = float(text)
    except ValueError:
        beta = float("nan")
    if not 0 <= beta <= 1:
        raise argparse.ArgumentTypeError(f"needs a number from 0 to 1, got '{text}'")
    return beta


def clips_arg(text: str) -> int:
    """``--clips`` value: frames per clip, an integer of at least 2."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 2:
        raise argparse.ArgumentTypeError(f"needs a whole number of frames, at least 2, got '{text}'")
    return n


def occluder_arg(text: str) -> Occluder:
    """``--occluder`` value: ``LO,HI`` fractions of the image width."""
    try:
        return Occluder.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def variant_arg(text: str) -> str:
    """``--kinds`` value: ``crfN``, ``jpegQ`` or ``scaleF``."""
    try:
        return check_variant(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


if __name__ == "__main__":
    sys.exit(main())
