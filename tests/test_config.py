"""Tracker configs are checked once, before the first frame, with one-line errors that say what to change.

Bad YAMLs go through `yolo track` and `model.track` as a user would write them; every error must name the file, the
key, the bad value and what is valid, stop before any frame is tracked, and never tell a fork user to
`pip install -U ultralytics`.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sysconfig
from pathlib import Path

import cv2
import numpy as np
import pytest

from ultralytics import YOLO
from ultralytics.trackers.config import CONFIGS, TrackerConfigError, build_tracker, load
from ultralytics.utils import ASSETS, ROOT, YAML

BIN = Path(sysconfig.get_paths()["scripts"])
SHIPPED = sorted(p.name for p in (ROOT / "cfg/trackers").glob("*.yaml"))


def bad_yaml(tmp_path: Path, base: str = "botsort_native_reid.yaml", drop=(), **keys) -> Path:
    """A copy of a shipped tracker YAML with keys changed (None writes an empty value) or dropped."""
    cfg = {k: v for k, v in YAML.load(ROOT / "cfg/trackers" / base).items() if k not in drop}
    path = tmp_path / "my.yaml"
    YAML.save(path, {**cfg, **keys})
    return path


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    """A 3-frame video of a real photo."""
    path = tmp_path_factory.mktemp("video") / "bus.mp4"
    img = cv2.resize(cv2.imread(str(ASSETS / "bus.jpg")), (320, 416))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 416))
    for _ in range(3):
        writer.write(img)
    writer.release()
    return path


# The bad configs of the issue, as a user writes them, through the CLI: (keys, expected message)
CLI_ROWS = [
    ({"reid": "nativ"}, "my.yaml: 'reid: nativ' is neither 'native', 'off' nor an existing file; set 'reid' to native"),
    ({"appearance_thresh": 2}, "my.yaml: 'appearance_thresh: 2' is out of range; expected a number from 0 to 1"),
    ({"track_buffer": -5}, "my.yaml: 'track_buffer: -5' is out of range; expected a whole number of at least 0"),
    ({"reid": None}, "my.yaml: 'reid' is empty; expected native, off or the path of an embedding model"),
    ({"appearance_thresh": "abc"}, "my.yaml: 'appearance_thresh: abc' is not a number from 0 to 1"),
    ({"track_buffer": "abc"}, "my.yaml: 'track_buffer: abc' is not a whole number of at least 0"),
    (
        {"apperance_thresh": 0.9},
        "my.yaml: unknown key 'apperance_thresh' for tracker_type botsort; did you mean 'appearance_thresh'?",
    ),
    (
        {"gmc_method": "sparseopticalflow"},
        "my.yaml: 'gmc_method: sparseopticalflow' is not one of sparseOptFlow, orb, sift, ecc, none; did you mean "
        "'sparseOptFlow'?",
    ),
]


def yolo_track(cwd: Path, video: Path, tracker: str | Path) -> str:
    """`yolo track` with a YAML-built model on a short video, as a user types it; its output, checked to have failed."""
    r = subprocess.run(
        [BIN / "yolo", "track", "model=yolo26n.yaml", f"source={video}", f"tracker={tracker}", "imgsz=320"],
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    assert r.returncode != 0
    return r.stdout + r.stderr


@pytest.mark.parametrize(
    "keys, message", CLI_ROWS, ids=[next(iter(k)) + "-" + str(next(iter(k.values()))) for k, _ in CLI_ROWS]
)
def test_yolo_track_stops_before_the_first_frame_with_one_line(tmp_path, video, keys, message):
    """`yolo track ... tracker=my.yaml` with a bad value fails at once with a one-line message that says what to do."""
    out = yolo_track(tmp_path, video, bad_yaml(tmp_path, **keys))
    last = out.strip().splitlines()[-1]
    assert last.startswith("ultralytics.trackers.config.TrackerConfigError: ") and message in last, out[-2000:]
    assert "frame 1/" not in out  # no frame was tracked
    assert "pip install -U ultralytics'" not in out


def numeric_keys(name: str) -> list[tuple[str, dict]]:
    """The numeric keys of a shipped tracker YAML, with their metadata."""
    cls = CONFIGS[YAML.load(ROOT / "cfg/trackers" / name)["tracker_type"]][0]
    return [(f.name, f.metadata) for f in dataclasses.fields(cls) if f.metadata["kind"] in {"float", "int"}]


def bad_values(meta: dict) -> list[tuple[object, str]]:
    """A wrong type and the values just outside the range of a numeric key, with the words of their message."""
    rows = [("abc", "is not a"), (True, "is not a")]
    if meta["low"] is not None:
        rows.append((meta["low"] - 1, "is out of range"))
    if meta["high"] is not None:
        rows.append((meta["high"] + 1, "is out of range"))
    if meta["kind"] == "int":
        rows.append((2.5, "is not a whole number"))
    return rows


CASES = [(n, k, v, words) for n in SHIPPED for k, meta in numeric_keys(n) for v, words in bad_values(meta)]


def test_every_numeric_key_of_every_shipped_tracker_is_checked_before_the_first_frame(tmp_path):
    """Wrong types and out-of-range values of every numeric key fail in `model.track` before any frame is tracked."""
    model, frames = YOLO("yolo26n.yaml"), []
    model.add_callback("on_predict_postprocess_end", lambda p: frames.append(1))
    img = cv2.imread(str(ASSETS / "bus.jpg"))
    for name, key, value, words in CASES:
        yaml = bad_yaml(tmp_path, name, **{key: value})
        with pytest.raises(TrackerConfigError) as e:
            model.track(img, tracker=str(yaml), imgsz=160, verbose=False)
        msg = str(e.value)
        assert msg.startswith(f"my.yaml: '{key}: {value}' {words}") and "\n" not in msg, (name, key, value, msg)
        assert " from " in msg or " of at least " in msg  # and what is valid
    assert not frames  # not one frame reached the tracker
    assert len(CASES) > 150  # the table covers every shipped tracker's numbers


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_yamls_load_unchanged_without_warnings(name, warnings):
    """Every shipped YAML (upstream's and ours) loads as it is: no warning, every key typed, reid resolved."""
    cfg = load(name)
    assert type(cfg) is CONFIGS[cfg.tracker_type][0]
    assert not warnings, [r.getMessage() for r in warnings]
    if hasattr(cfg, "reid"):
        assert cfg.reid in {"native", "off"} and cfg.with_reid == (cfg.reid != "off") and cfg.model == "auto"


def test_upstream_reid_keys_still_map_onto_reid():
    """`with_reid`/`model` of upstream YAMLs keep working; a contradiction names both keys, in one line."""
    assert load("botsort.yaml", {"with_reid": True, "model": "auto"}).reid == "native"
    assert load("botsort.yaml", {"with_reid": False}).reid == "off"
    with pytest.raises(TrackerConfigError, match=r"^botsort_native_reid\.yaml: sets 'reid: native' but 'with_reid"):
        load("botsort_native_reid.yaml", {"with_reid": False})
    assert load("botsort_native_reid.yaml", {"reid": False}).reid == "off"  # YAML reads an unquoted off as false


def test_a_missing_key_is_taken_from_the_shipped_yaml_with_one_warning(tmp_path, warnings):
    """A YAML without `match_thresh` tracks with botsort.yaml's value, after one warning naming the key."""
    cfg = load(bad_yaml(tmp_path, drop=("match_thresh", "fuse_score")))
    assert cfg.match_thresh == YAML.load(ROOT / "cfg/trackers/botsort.yaml")["match_thresh"] and cfg.fuse_score
    said = [r.getMessage() for r in warnings]
    assert len(said) == 1 and "my.yaml has no match_thresh, fuse_score; using the values of botsort.yaml" in said[0]


def test_other_bad_configs_name_what_is_valid(tmp_path):
    """An unknown tracker type, a key of another tracker, a non-boolean switch: each names what is valid."""
    cases = [
        ({"tracker_type": "botsrt"}, "'tracker_type: botsrt' is not one of bytetrack, botsort,"),
        ({"fuse_score": "yes please"}, "'fuse_score: yes please' is not true or false"),
        ({"descriptor": "colour"}, "'descriptor: colour' is not one of anchor, roi, color; did you mean 'color'?"),
        ({"veto_thresh": 0.85}, "unknown key 'veto_thresh' for tracker_type botsort; 'association: reid' now takes"),
    ]
    for keys, message in cases:
        with pytest.raises(TrackerConfigError, match=message.replace("?", r"\?").replace("(", r"\(")):
            load(bad_yaml(tmp_path, **keys))
    with pytest.raises(TrackerConfigError, match="unknown key 'reid' for tracker_type bytetrack"):
        load("bytetrack.yaml", {"reid": "native"})  # ByteTrack has no ReID


@pytest.mark.parametrize(
    ("tracker", "message"),
    [
        ("nope.yaml", "nope.yaml: no such file, and not a shipped tracker config (botsort.yaml, "),
        ("botsort.txt", "botsort.txt: a tracker config is a .yaml file: a path, or one of botsort.yaml, "),
    ],
)
def test_a_tracker_config_that_is_not_there_is_one_line_naming_the_shipped_ones(tmp_path, video, tracker, message):
    """`yolo track tracker=nope.yaml` (or a file that is not YAML) says so in one line, before the first frame."""
    out = yolo_track(tmp_path, video, tracker)
    last = out.strip().splitlines()[-1]
    assert last.startswith("ultralytics.trackers.config.TrackerConfigError: ") and message in last
    assert "frame 1/" not in out


def test_trackers_built_any_way_get_the_checked_config():
    """A tracker built from a plain dict (as upstream's docstrings do) holds the checked config of the same YAML."""
    raw = YAML.load(ROOT / "cfg/trackers/botsort_native_reid.yaml")
    by_dict, by_name = build_tracker(raw), build_tracker("botsort_native_reid.yaml")
    assert by_dict.args == by_name.args and by_dict.args.reid == "native" and by_dict.args.with_reid is True
    with pytest.raises(TrackerConfigError):
        build_tracker({**raw, "track_buffer": "forever"})


def test_an_inside_lifetime_shorter_than_the_lifetime_keeps_the_lifetime_after_one_warning(warnings):
    """`track_buffer_s_inside` below `track_buffer_s`: one warning, and tracks lost inside are kept the lifetime."""
    tracker = build_tracker("bytetrack.yaml", track_buffer_s=5, track_buffer_s_inside=2, frame_rate=10)
    assert tracker.max_frames_lost_inside == tracker.max_frames_lost == 50
    said = [r.getMessage() for r in warnings]
    assert len(said) == 1 and "track_buffer_s_inside=2.0 is shorter than the lost-track lifetime (50 frames)" in said[0]
    assert build_tracker("bytetrack.yaml", track_buffer_s=5, frame_rate=10).max_frames_lost_inside == 50
    assert len(warnings) == 1  # 0, the default, is no inside lifetime: no warning


def test_yolo_checks_does_not_warn_about_a_correct_install():
    """`yolo checks` on the installed fork does not claim Ultralytics is 'not found via pip'."""
    r = subprocess.run([BIN / "yolo", "checks"], capture_output=True, text=True)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "ultralytics-reid" in out, out[-2000:]
    assert "not found via pip" not in out and "Multiple Ultralytics installations" not in out


def test_track_with_an_image_folder_takes_the_frame_rate_from_the_yaml(tmp_path):
    """`frame_rate` in the YAML is what a folder of images is tracked at (it has no rate of its own); 30 otherwise."""
    from ultralytics.trackers.track import source_frame_rate

    folder = tmp_path / "img1"
    folder.mkdir()
    cv2.imwrite(str(folder / "000001.jpg"), np.zeros((64, 64, 3), np.uint8))
    model = YOLO("yolo26n.yaml")
    model.track(str(folder), tracker=str(bad_yaml(tmp_path, frame_rate=7)), imgsz=64, verbose=False)
    assert model.predictor.trackers[0].frame_rate == 7
    assert model.predictor.trackers[0].max_frames_lost == 35  # track_buffer_s 5 at 7 fps
    assert model.predictor.trackers[0].max_frames_lost_inside == 52  # track_buffer_s_inside 7.5 at 7 fps
    model.track(str(folder), tracker="botsort_native_reid.yaml", imgsz=64, verbose=False)
    assert model.predictor.trackers[0].frame_rate == 30 == source_frame_rate(model.predictor.dataset)
