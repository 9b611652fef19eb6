# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""Tracker configs: each tracker YAML is read once, into a typed and checked object, before the first frame.

`load` turns a tracker YAML (a shipped name such as ``botsort.yaml``, a path, a dict or a namespace) into the dataclass
of its ``tracker_type`` (`ByteTrackConfig`, `BoTSORTConfig`, ...), and every way of building a tracker goes through it:
``model.track`` / ``yolo track`` (`ultralytics.trackers.track`), the benchmark (`ultralytics.trackers.eval`) and
`build_tracker`. What it checks, with one-line errors (`TrackerConfigError`, a ``ValueError``) that name the file, the
key, the value and what is valid:

- ``tracker_type`` is one of the trackers; every key belongs to that tracker (an unknown key names the closest valid
  one); numbers are numbers within their range, booleans are ``true``/``false``, choices are among their choices;
- ``reid`` is ``native``, ``off`` or an embedding model that exists (a file, or an asset Ultralytics can download), and
  agrees with upstream's ``with_reid``/``model`` where those are set (`resolve_reid`).

A key the YAML leaves out is taken from the shipped YAML of its tracker type (``botsort.yaml`` for ``botsort``), with
one warning naming the keys; keys of the fork's own features have their defaults here, documented on the dataclasses.
Upstream YAMLs and user YAMLs written for them keep working: ``with_reid``/``model`` map onto ``reid``.

Examples:
    >>> from ultralytics.trackers.config import build_tracker, load
    >>> cfg = load("botsort_native_reid.yaml", {"reid": "off"})
    >>> tracker = build_tracker("bytetrack.yaml", track_buffer=60)
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ultralytics.utils import LOGGER, YAML
from ultralytics.utils.checks import check_yaml

GMC_METHODS = ("sparseOptFlow", "orb", "sift", "ecc", "none")
SHIPPED = "from the shipped YAML"  # default of the keys whose value the tracker type's shipped YAML provides


class TrackerConfigError(ValueError):
    """A tracker config value that cannot be used; the message is one line naming the file, key, value and remedy."""


def key(kind: str, default: Any = SHIPPED, low: float | None = None, high: float | None = None, choices=()) -> Any:
    """A config key: its kind (``float``, ``int``, ``bool``, ``str``, ``choice``), default, and range or choices.

    The default `SHIPPED` means the tracker type's shipped YAML provides the value (see `load`).
    """
    return field(default=default, metadata={"kind": kind, "low": low, "high": high, "choices": choices})


@dataclass
class TrackerConfig:
    """Keys of every tracker: detection thresholds and how long lost tracks are kept.

    Attributes:
        tracker_type (str): Which tracker (``bytetrack``, ``botsort``, ``ocsort``, ``deepocsort``, ``fasttrack``,
            ``tracktrack``).
        track_high_thresh (float): First-stage match threshold on the detection score.
        track_low_thresh (float): Second-stage threshold for low-score matches.
        new_track_thresh (float): Score a detection needs to start a new track.
        track_buffer (int): Frames a lost track is kept (when ``track_buffer_s`` is 0).
        match_thresh (float): Maximum association cost accepted for a match.
        track_buffer_s (float): Seconds a lost track is kept, at the source's frame rate; 0 uses ``track_buffer``.
        frame_rate (float): Frames per second of the source; 0 takes it from the video or stream (30 if unknown).
    """

    tracker_type: str = key("choice")
    track_high_thresh: float = key("float", low=0, high=1)
    track_low_thresh: float = key("float", low=0, high=1)
    new_track_thresh: float = key("float", low=0, high=1)
    track_buffer: int = key("int", low=0)
    match_thresh: float = key("float", low=0)
    track_buffer_s: float = key("float", 0.0, 0)
    frame_rate: float = key("float", 0.0, 0)


@dataclass
class ByteTrackConfig(TrackerConfig):
    """``bytetrack`` (and the trackers built on it): `TrackerConfig` plus these keys.

    Attributes:
        fuse_score (bool): Whether IoU costs are fused with the detection score.
        track_buffer_s_inside (float): Seconds a track lost away from the frame's edge is kept (hidden there, not gone),
            where longer than the lost-track lifetime; 0 keeps every lost track that lifetime.
    """

    fuse_score: bool = key("bool")
    track_buffer_s_inside: float = key("float", 0.0, 0)


@dataclass
class ReIDConfig:
    """Keys of the trackers with a ReID mode and camera-motion compensation (BoT-SORT, Deep OC-SORT, TrackTrack).

    Attributes:
        reid (str | None): ``native`` (the detector's own features), ``off``, or the path of an embedding model; from
            ``with_reid``/``model`` where only those are set.
        with_reid (bool | None): Upstream's switch, kept in agreement with ``reid``.
        model (str | None): Upstream's encoder key (``auto`` is native), kept in agreement with ``reid``.
        descriptor (str): Native descriptor: ``anchor``, ``roi`` or ``color`` (see ``trackers/utils/descriptors.py``).
        gmc_method (str): Camera-motion compensation: ``sparseOptFlow``, ``orb``, ``sift``, ``ecc`` or ``none``.
    """

    reid: str | None = key("str", None)
    with_reid: bool | None = key("bool", None)
    model: str | None = key("str", None)
    descriptor: str = key("choice", "anchor", choices=("anchor", "roi", "color"))
    gmc_method: str = key("choice", choices=GMC_METHODS)


@dataclass
class BoTSORTConfig(ReIDConfig, ByteTrackConfig):
    """``botsort``: `ByteTrackConfig`, `ReIDConfig` and how appearance joins motion.

    Attributes:
        proximity_thresh (float): Minimum IoU for an appearance match (``association: min``).
        appearance_thresh (float): Minimum appearance similarity for an appearance match (``association: min``).
        association (str): ``min`` (upstream: the lower of IoU and appearance cost) or ``reid`` (motion first,
            appearance decisions calibrated on the scene, ``trackers/utils/scene_reid.py``).
        proximity (str): ``association: min``: which pairs appearance may match, ``iou`` or ``centroid``.
        centroid_thresh (float): ``proximity: centroid``: maximum centre distance, in image widths.
        reid_confidence (float): ``association: reid``: minimum posterior probability of a re-find.
        reid_confidence_late (float): ``association: reid``: the same for a track lost 2 s or more and a detection
            away from the frame's edge.
        reid_confidence_edge (float): ``association: reid``: the same for a track lost 3 s or more and a detection at
            the frame's edge; 0 keeps ``reid_confidence`` there.
        veto_ratio (float): ``association: reid``: likelihood ratio below which a lost track may not take a detection.
        tie_weight (float): ``association: reid``: weight of appearance dissimilarity in the motion cost of overlaps.
        low_tie_weight (float): ``association: reid``: the same in the second association (low-score detections).
        refind_radius (float): ``association: reid``: re-find region radius around the path from where a lost track
            was last seen to where motion predicts it, in box heights.
        refind_speed (float): ``association: reid``: growth of that radius per second lost, in box heights per second
            (a brisk walk: 2 m/s for a person 1.7 m tall).
        refind_max (float): ``association: reid``: largest re-find radius, in box heights.
        aspect_smoothing_s (float): Time constant, in seconds, over which a track's reported box takes its detections'
            aspect ratio (width / height), so its width does not jitter with theirs; 0 reports the Kalman filter's box.
        low_score_hide_s (float): Seconds a track matched only to low-score detections (below ``track_high_thresh``)
            is still reported; after that it is tracked but not reported until a high-score detection matches it. 0
            reports it however long (upstream).
    """

    proximity_thresh: float = key("float", low=0, high=1)
    appearance_thresh: float = key("float", low=0, high=1)
    association: str = key("choice", "min", choices=("min", "reid"))
    proximity: str = key("choice", "iou", choices=("iou", "centroid"))
    centroid_thresh: float = key("float", 0.3, 0)
    reid_confidence: float = key("float", 0.8, 0, 1)
    reid_confidence_late: float = key("float", 0.65, 0, 1)
    reid_confidence_edge: float = key("float", 0.0, 0, 1)
    veto_ratio: float = key("float", 0.1, 0)
    tie_weight: float = key("float", 0.1, 0)
    low_tie_weight: float = key("float", 0.3, 0)
    refind_radius: float = key("float", 0.5, 0)
    refind_speed: float = key("float", 1.2, 0)
    refind_max: float = key("float", 3.0, 0)
    aspect_smoothing_s: float = key("float", 0.0, 0)
    low_score_hide_s: float = key("float", 0.0, 0)


@dataclass
class OCSORTConfig(ByteTrackConfig):
    """``ocsort``: `ByteTrackConfig` plus the velocity window (``delta_t``), its ``inertia`` and ``use_byte``."""

    delta_t: int = key("int", low=1)
    inertia: float = key("float", low=0, high=1)
    use_byte: bool = key("bool")


@dataclass
class DeepOCSORTConfig(ReIDConfig, OCSORTConfig):
    """``deepocsort``: `OCSORTConfig`, `ReIDConfig`, the appearance gate and the embedding's EMA weight."""

    proximity_thresh: float = key("float", low=0, high=1)
    appearance_thresh: float = key("float", low=0, high=1)
    alpha_fixed_emb: float = key("float", low=0, high=1)


@dataclass
class FastTrackConfig(ByteTrackConfig):
    """``fasttrack``: `ByteTrackConfig` plus its occlusion handling (see ``fasttrack.yaml``)."""

    reset_velocity_offset_occ: int = key("int", low=0)
    reset_pos_offset_occ: int = key("int", low=0)
    enlarge_bbox_occ: float = key("float", low=0)
    dampen_motion_occ: float = key("float", low=0, high=1)
    active_occ_to_lost_thresh: int = key("int", low=0)
    occ_cover_thresh: float = key("float", low=0, high=1)
    occ_reappear_window: int = key("int", low=0)
    init_iou_suppress: float = key("float", low=0, high=1)


@dataclass
class TrackTrackConfig(ReIDConfig, TrackerConfig):
    """``tracktrack``: `TrackerConfig`, `ReIDConfig` and its multi-cue association (see ``tracktrack.yaml``)."""

    lost_match_thr: float = key("float", low=0)
    iou_weight: float = key("float", low=0)
    reid_weight: float = key("float", low=0)
    conf_weight: float = key("float", low=0)
    angle_weight: float = key("float", low=0)
    penalty_p: float = key("float", low=0)
    penalty_q: float = key("float", low=0)
    reduce_step: float = key("float", low=0)
    tai_thr: float = key("float", low=0, high=1)
    min_track_len: int = key("int", low=0)


CONFIGS = {  # tracker_type -> (config class, shipped YAML with its defaults)
    "bytetrack": (ByteTrackConfig, "bytetrack.yaml"),
    "botsort": (BoTSORTConfig, "botsort.yaml"),
    "ocsort": (OCSORTConfig, "ocsort.yaml"),
    "deepocsort": (DeepOCSORTConfig, "deepocsort.yaml"),
    "fasttrack": (FastTrackConfig, "fasttrack.yaml"),
    "tracktrack": (TrackTrackConfig, "tracktrack.yaml"),
}
MIN_ONLY = ("proximity", "centroid_thresh")  # keys `association: reid` does not use
REPLACED = {"veto_thresh": "veto_ratio", "centroid_growth": "refind_speed"}  # keys of an earlier `association: reid`


def _fail(label: str, message: str) -> TrackerConfigError:
    """The error for one bad config entry."""
    return TrackerConfigError(f"{label}: {message}")


def _closest(word: Any, options) -> str:
    """'; did you mean 'x'?' for the closest option, or ''."""
    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def _expected(name: str, meta: dict) -> str:
    """What a key takes, for messages: 'a number from 0 to 1', 'one of iou, centroid', ..."""
    kind, low, high = meta["kind"], meta["low"], meta["high"]
    if name == "reid":
        return "native, off or the path of an embedding model"
    if kind == "choice":
        return f"one of {', '.join(meta['choices'])}"
    if kind == "bool":
        return "true or false"
    if kind == "str":
        return "text"
    span = f"from {low:g} to {high:g}" if high is not None else f"of at least {low:g}" if low is not None else ""
    return f"{'a number' if kind == 'float' else 'a whole number'} {span}".rstrip()


def _check(label: str, name: str, value: Any, meta: dict) -> Any:
    """The value of one key, converted to its kind, or a `TrackerConfigError` saying what is valid."""
    kind, shown, expected = meta["kind"], f"'{name}: {value}'", _expected(name, meta)
    if value is None:
        if name == "gmc_method":  # upstream's GMC takes an empty value for no compensation
            return "none"
        raise _fail(label, f"'{name}' is empty; expected {expected}")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise _fail(label, f"{shown} is not {expected}")
    if kind == "choice":
        if value in meta["choices"]:
            return value
        raise _fail(label, f"{shown} is not {expected}{_closest(value, meta['choices'])}")
    if kind == "str":
        if name == "reid" and isinstance(value, bool):  # YAML 1.1 reads an unquoted off (or on) as false (true)
            return "native" if value else "off"
        if isinstance(value, str):
            return value
        raise _fail(label, f"{shown} is not text; expected {expected}")
    number = value
    if isinstance(value, str):  # YAML reads 1e-3 (no dot) as text
        try:
            number = float(value)
        except ValueError:
            pass
    if (
        isinstance(number, bool)
        or not isinstance(number, (int, float))
        or not math.isfinite(number)
        or (kind == "int" and number != int(number))
    ):
        raise _fail(label, f"{shown} is not {expected}")
    if (meta["low"] is not None and number < meta["low"]) or (meta["high"] is not None and number > meta["high"]):
        raise _fail(label, f"{shown} is out of range; expected {expected}")
    return int(number) if kind == "int" else float(number)


def _encoder_exists(name: str) -> bool:
    """Whether an embedding model name is a file, or an asset Ultralytics can download."""
    from ultralytics.trackers.utils.reid import REID_ASSETS
    from ultralytics.utils.downloads import GITHUB_ASSETS_NAMES

    return Path(name).exists() or Path(name).name in REID_ASSETS | GITHUB_ASSETS_NAMES


def _shipped_names() -> str:
    """The shipped tracker configs, for messages."""
    from ultralytics.utils import ROOT

    return ", ".join(sorted(p.name for p in (ROOT / "cfg/trackers").glob("*.yaml")))


def _read(source: Any) -> tuple[str, dict]:
    """A label for messages and the raw keys of a YAML name or path, a dict or a namespace."""
    if isinstance(source, (str, Path)):
        if Path(source).suffix not in {".yaml", ".yml"}:
            raise _fail(str(source), f"a tracker config is a .yaml file: a path, or one of {_shipped_names()}")
        try:
            path = check_yaml(source)
        except FileNotFoundError:
            raise _fail(str(source), f"no such file, and not a shipped tracker config ({_shipped_names()})") from None
        return Path(source).name, dict(YAML.load(path) or {})
    if isinstance(source, dict):
        return "tracker config", dict(source)
    return "tracker config", dict(vars(source))


def load(source: Any, overrides: dict | None = None) -> TrackerConfig:
    """Read, check and complete a tracker config (see the module docstring).

    Args:
        source (str | Path | dict | Any): A tracker YAML (shipped name or path), a dict, or a namespace of keys.
        overrides (dict, optional): Keys that replace the source's.

    Returns:
        (TrackerConfig): The dataclass of the config's ``tracker_type``, every key set and checked; ``reid``,
            ``with_reid`` and ``model`` agree.

    Raises:
        TrackerConfigError: On the first key that cannot be used, in one line naming the file, key, value and remedy.
    """
    if isinstance(source, TrackerConfig) and not overrides:
        return source
    label, raw = _read(source)
    raw.update(overrides or {})
    kind = raw.get("tracker_type")
    if kind not in CONFIGS:
        raise _fail(label, f"'tracker_type: {kind}' is not one of {', '.join(CONFIGS)}{_closest(kind, CONFIGS)}")
    cls, shipped_name = CONFIGS[kind]
    meta = {f.name: f.metadata for f in fields(cls)}
    meta["tracker_type"] = {**meta["tracker_type"], "choices": tuple(CONFIGS)}
    for name in raw:
        if name not in meta:
            hint = f"; 'association: reid' now takes '{REPLACED[name]}'" if name in REPLACED else _closest(name, meta)
            raise _fail(label, f"unknown key '{name}' for tracker_type {kind}{hint}")
    missing = [f.name for f in fields(cls) if f.default is SHIPPED and f.name not in raw]
    values = raw
    if missing:
        LOGGER.warning(f"{label} has no {', '.join(missing)}; using the values of {shipped_name}")
        shipped = YAML.load(check_yaml(shipped_name))
        values = {**{name: shipped[name] for name in missing}, **raw}
    cfg = cls(**{name: _check(label, name, value, meta[name]) for name, value in values.items()})
    if isinstance(cfg, ReIDConfig):
        _check_reid(label, cfg)
    if getattr(cfg, "association", None) == "reid" and (unused := [k for k in MIN_ONLY if k in raw]):
        LOGGER.warning(
            f"{label}: {', '.join(unused)} apply to 'association: min' only; 'association: reid' ignores them"
        )
    return cfg


def resolve_reid(args) -> str:
    """Resolve a tracker config's ReID setting to `"off"`, `"native"` or an encoder path, and normalize `args`.

    The `reid` key takes `native` (the detector's own features, no second model), `off`, or the path of an embedding
    model. Upstream's `with_reid` and `model` keys keep working and map onto it (`with_reid: True` with `model: auto`
    is `native`). Afterwards `args.reid`, `args.with_reid` and `args.model` agree, so code reading either form works.

    Args:
        args (ReIDConfig | Any): Tracker configuration; updated in place.

    Returns:
        (str): `"off"`, `"native"`, or the embedding model path.

    Raises:
        ValueError: If `reid` contradicts `with_reid` or `model`, naming both keys.
    """
    reid = getattr(args, "reid", None)
    with_reid = getattr(args, "with_reid", None)
    model = getattr(args, "model", None)
    legacy = None  # what the upstream keys alone select, where they select anything
    if with_reid is not None:
        legacy = "native" if with_reid and model in {None, "auto"} else str(model) if with_reid else "off"
    if reid is None:
        reid = legacy or "off"
    reid = {"auto": "native", "true": "native", "none": "off", "false": "off"}.get(str(reid).lower(), str(reid))
    if legacy is not None and legacy != reid:
        raise ValueError(
            f"tracker config sets 'reid: {args.reid}' but 'with_reid: {with_reid}' and 'model: {model}' select "
            f"'{legacy}'; remove 'with_reid' and 'model' or make them agree with 'reid'"
        )
    if with_reid is None and reid not in {"off", "native"} and model not in {None, "auto", reid}:
        raise ValueError(f"tracker config sets 'reid: {reid}' but 'model: {model}'; set only 'reid'")
    if with_reid is None and reid == "native" and model not in {None, "auto"}:
        raise ValueError(f"tracker config sets 'reid: native' but 'model: {model}' names an encoder; set only 'reid'")
    args.reid, args.with_reid, args.model = reid, reid != "off", "auto" if reid in {"off", "native"} else reid
    return reid


def _check_reid(label: str, cfg: ReIDConfig) -> None:
    """Resolve ``reid`` with upstream's ``with_reid``/``model`` and check that it names something that exists."""
    try:
        reid = resolve_reid(cfg)
    except ValueError as e:
        raise _fail(label, str(e).removeprefix("tracker config ")) from None
    if reid not in {"native", "off"} and not _encoder_exists(reid):
        raise _fail(
            label,
            f"'reid: {reid}' is neither 'native', 'off' nor an existing file; set 'reid' to native (the detector's "
            "own features), off, or the path of an embedding model",
        )


def build_tracker(source: Any, **overrides: Any) -> Any:
    """A tracker from a config (see `load`), as ``model.track`` builds it.

    Args:
        source (str | Path | dict | Any): A tracker YAML (shipped name or path), a dict, a namespace or a loaded config.
        **overrides (Any): Keys that replace the source's.

    Returns:
        (BYTETracker | TRACKTRACK): The tracker of the config's ``tracker_type``.
    """
    from ultralytics.trackers.track import TRACKER_MAP

    cfg = load(source, overrides)
    return TRACKER_MAP[cfg.tracker_type](args=cfg)
