"""Native ReID in the trackers.

Features aligned with boxes for every head, the reid key, the centroid gate of `association: min`,
botsort_native_reid.yaml from Python and the CLI, and motion-only fallback without downloads. The scene-calibrated
`association: reid` of botsort_native_reid.yaml has its own module, test_scene_reid.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from ultralytics import YOLO
from ultralytics.engine.results import Boxes
from ultralytics.models.yolo.detect import DetectionPredictor
from ultralytics.trackers.config import TrackerConfig, build_tracker, load
from ultralytics.trackers.utils.descriptors import color_descriptor
from ultralytics.utils import ASSETS, ROOT, YAML, IterableSimpleNamespace, ops

NATIVE = "botsort_native_reid.yaml"
BIN = Path(sysconfig.get_paths()["scripts"])


def tracker_cfg(name: str, **overrides) -> TrackerConfig:
    """A shipped tracker config with overrides, checked."""
    return load(name, overrides)


# ---------------------------------------------------------------------------------------------------------------------
# Features stay aligned with their boxes, for every head, through class filters, max_det and NMS or end-to-end heads


class HeadProbe:
    """Records, independently of the code under test, each anchor's decoded box and its per-anchor feature."""

    def __init__(self, model: YOLO, descriptor: str):
        self.descriptor = descriptor
        self.frames = []  # per image: (input shape, per-anchor boxes (A, 4 or 5), per-anchor feats (A, C), is OBB)
        self.results = []  # per result: (boxes or obb data, feats) as the tracker receives them
        model.add_callback("on_predict_start", self.attach)
        model.add_callback("on_predict_postprocess_end", self.collect)  # added first: runs before the tracker

    def attach(self, predictor):
        """Hook the network input and the head's input and raw output."""
        if getattr(predictor, "_probe", False):
            return
        predictor._probe = True
        net = predictor.model.model
        head = net.model[-1]
        state = {}
        net.register_forward_pre_hook(lambda m, x: state.update(img=x[0].clone()))
        head.register_forward_pre_hook(lambda m, x: state.update(maps=[t.clone() for t in x[0]]))

        def decode(m, x, out):
            raw = out[-1]
            branch = raw.get("one2one" if m.end2end else "one2many", raw) if "one2many" in raw else raw
            dec = m._inference(branch)  # (B, 4 + nc + extra, A): xyxy for end-to-end heads, else xywh
            boxes = dec[:, :4].permute(0, 2, 1)
            boxes = boxes if m.end2end or type(m).__name__.startswith("OBB") else ops.xywh2xyxy(boxes)
            obb = type(m).__name__.startswith("OBB")
            if self.descriptor == "anchor":  # upstream's definition: the head-input cell of each anchor
                feats = DetectionPredictor.get_obj_feats(state["maps"], [torch.arange(boxes.shape[1])] * len(boxes))
            else:  # the colour descriptor of each anchor's own box, in input coordinates
                xyxy = ops.xywh2xyxy(boxes[..., :4]) if obb else boxes
                feats = [color_descriptor(state["img"][b : b + 1], xyxy[b]) for b in range(len(boxes))]
            for b in range(len(boxes)):  # one entry per image of the batch
                self.frames.append((state["img"].shape[2:], boxes[b], feats[b], obb))

        head.register_forward_hook(decode)

    def collect(self, predictor):
        """Record what each result hands the tracker."""
        for r in predictor.results:
            data = (r.obb if r.obb is not None else r.boxes).data.clone()
            self.results.append((r.orig_shape, data, getattr(r, "feats", None)))

    def check(self) -> int:
        """Assert each result row carries the feature of the anchor whose box it is; return rows checked."""
        assert len(self.frames) == len(self.results)
        checked = 0
        for (shape, boxes, feats, obb), (orig_shape, data, got) in zip(self.frames, self.results):
            assert got is not None and len(got) == len(data), "features missing or not one per box"
            if not len(data):
                continue
            if obb:  # rotated boxes: match on centres (regularization may swap w/h), scaled like OBB results
                ref = ops.scale_boxes(shape, boxes[:, :4].clone(), orig_shape, xywh=True)[:, :2]
                key = data[:, :2]
            else:
                ref = ops.scale_boxes(shape, boxes.clone(), orig_shape)
                key = data[:, :4]
            dist, anchor = torch.cdist(key.float(), ref.float()).min(1)
            assert dist.max() < 1e-2, f"a box matches no anchor exactly ({dist.max():.4f} px)"
            torch.testing.assert_close(got.float(), feats[anchor].float(), atol=1e-4, rtol=1e-4)
            checked += len(data)
        return checked


@pytest.mark.parametrize("descriptor", ["anchor", "color"])
@pytest.mark.parametrize(
    "cfg, nms, batch",
    [
        ("yolo26n.yaml", True, 1),
        ("yolo26n.yaml", False, 1),  # end-to-end one-to-one head
        ("yolo26n-seg.yaml", True, 1),
        ("yolo26n-seg.yaml", False, 1),
        ("yolo26n-pose.yaml", False, 1),
        ("yolo26n-obb.yaml", False, 1),
        ("yolo11n.yaml", True, 1),
        ("yolo11n-pose.yaml", True, 1),
        ("yolo26n.yaml", True, 2),  # a batch of two images
        ("yolo26n.yaml", False, 2),
    ],
)
def test_features_aligned_with_boxes_for_every_head(cfg, nms, batch, descriptor, tmp_path):
    """`model.track` hands the tracker, for each box, the descriptor of that box and of the anchor that produced it."""
    torch.manual_seed(0)  # a reproducible random-weight model
    model = YOLO(cfg)
    img = cv2.imread(str(ASSETS / "bus.jpg"))
    r = model.predict(img, conf=1e-6, max_det=300, nms=nms, verbose=False)[0]
    present = sorted(set((r.obb if r.obb is not None else r.boxes).cls.int().tolist()))
    classes = present[: max(1, len(present) // 2)]  # a real filter: some of the classes this model predicts here
    probe = HeadProbe(model, descriptor)
    tracker = tmp_path / "tracker.yaml"
    YAML.save(tracker, {**YAML.load(ROOT / "cfg/trackers" / NATIVE), "descriptor": descriptor})
    for k in range(3):
        frames = [np.roll(img, 7 * k + 50 * b, axis=1) for b in range(batch)]
        model.track(
            frames, tracker=str(tracker), persist=True, conf=1e-6, max_det=25, classes=classes, nms=nms, verbose=False
        )
    assert probe.check() > 0
    assert all(len(data) <= 25 for _, data, _ in probe.results)
    assert all(set(data[:, -1].int().tolist()) <= set(classes) for _, data, _ in probe.results)


# ---------------------------------------------------------------------------------------------------------------------
# Occlusion: with upstream's `association: min`, the centroid gate lets appearance re-find a person who reappears away
# from where they vanished

CENTROID = {"association": "min", "proximity": "centroid", "centroid_thresh": 0.3, "appearance_thresh": 0.93}

W, H = 640, 480
PERSON = (50, 120)  # box size


def boxes_at(xs: list[float]) -> Boxes:
    """Detections of people centred at x (y fixed), score 0.9, class 0, in a W x H image."""
    rows = [[x - PERSON[0] / 2, 180, x + PERSON[0] / 2, 180 + PERSON[1], 0.9, 0] for x in xs]
    return Boxes(np.asarray(rows, dtype=np.float32).reshape(-1, 6), (H, W))


def unit(v: np.ndarray) -> np.ndarray:
    """L2-normalize."""
    return (v / np.linalg.norm(v)).astype(np.float32)


def occlusion_run(
    cfg: TrackerConfig, reappear_at: float, seed: int = 0, walk: float = 0.0, lookalike: bool = True
) -> dict[str, list[int]]:
    """Run a person through a 60-frame occlusion and return the IDs the tracker gave each detection, per frame.

    The person stands at x0 (or walks `walk` px per frame from x0) for 30 frames, is hidden for 60, and reappears
    `reappear_at` image widths to the right of where they vanished. During the occlusion a look-alike (cosine ~0.9 to
    the person) appears 0.6 image widths from x0 (unless `lookalike=False`).
    """
    rng = np.random.default_rng(seed)
    person = unit(rng.normal(size=64))
    other = unit(person + 0.45 * unit(rng.normal(size=64)))
    x0 = 120.0
    tracker = build_tracker(cfg)
    ids = {"before": [], "after": [], "lookalike": []}
    for frame in range(130):
        xs, feats, who = [], [], []
        if frame < 30:
            xs, who = [x0 + walk * frame], ["before"]
        elif frame >= 90:
            xs, who = [x0 + walk * 29 + reappear_at * W], ["after"]
        feats = [unit(person + 0.05 * rng.normal(size=64)) for _ in xs]
        if lookalike and 50 <= frame:
            xs.append(x0 + 0.6 * W)
            feats.append(unit(other + 0.05 * rng.normal(size=64)))
            who.append("lookalike")
        out = tracker.update(boxes_at(xs), None, feats=np.asarray(feats, dtype=np.float32).reshape(len(xs), 64))
        for row in out:
            ids[who[int(row[-1])]].append(int(row[4]))
    return ids


@pytest.mark.parametrize("reappear_at", [0.15, 0.2, 0.25])
def test_centroid_gate_keeps_identity_through_occlusion(reappear_at):
    """With native features the person keeps their ID after 60 hidden frames; the look-alike gets its own."""
    ids = occlusion_run(tracker_cfg(NATIVE, **CENTROID), reappear_at)
    assert ids["before"] and ids["after"] and ids["lookalike"]
    assert set(ids["before"]) == set(ids["after"]) == {ids["before"][0]}
    assert ids["before"][0] not in ids["lookalike"]


@pytest.mark.parametrize("reappear_at", [0.15, 0.25])
def test_plain_botsort_and_iou_gate_lose_identity_after_occlusion(reappear_at):
    """Plain botsort (no ReID), and native ReID behind upstream's IoU gate, give the reappearing person a new ID."""
    for cfg in (tracker_cfg("botsort.yaml"), tracker_cfg(NATIVE, **{**CENTROID, "proximity": "iou"})):
        ids = occlusion_run(cfg, reappear_at)
        assert ids["before"] and ids["after"]
        assert ids["before"][0] not in ids["after"], cfg.tracker_type


def test_centroid_gate_measures_from_where_the_track_vanished():
    """A person who walked 174 px before the occlusion is re-found 0.2 W from where they vanished.

    The gate measures from the last observed box, not from the box the track started at (0.47 W away) nor from where the
    Kalman filter extrapolates the lost track (0.36 W away after 60 frames).
    """
    ids = occlusion_run(tracker_cfg(NATIVE, **CENTROID), 0.2, walk=6.0, lookalike=False)
    assert ids["before"] and ids["after"]
    assert set(ids["after"]) == {ids["before"][0]}


def test_lookalike_far_away_never_takes_the_lost_identity():
    """A look-alike 0.6 image widths away during the occlusion starts its own track under the centroid gate."""
    for seed in range(5):
        ids = occlusion_run(tracker_cfg(NATIVE, **CENTROID), 0.2, seed=seed)
        assert not set(ids["lookalike"]) & set(ids["before"])


def test_feature_rows_must_match_detections():
    """A feature count that differs from the detection count is a clear ValueError, never a silent misalignment."""
    tracker = build_tracker(NATIVE)
    with pytest.raises(ValueError, match="feats has 1 rows but there are 2 detections"):
        tracker.update(boxes_at([100, 300]), None, feats=np.ones((1, 8), dtype=np.float32))


# ---------------------------------------------------------------------------------------------------------------------
# The reid key


@pytest.mark.parametrize(
    "keys, expected",
    [
        ({"reid": "native"}, ("native", True, "auto")),
        ({"reid": "off"}, ("off", False, "auto")),
        ({"with_reid": True, "model": "auto"}, ("native", True, "auto")),
        ({"with_reid": False, "model": "auto"}, ("off", False, "auto")),
        ({"with_reid": True, "model": "my-reid.onnx"}, ("my-reid.onnx", True, "my-reid.onnx")),
        ({"reid": "native", "with_reid": True, "model": "auto"}, ("native", True, "auto")),
    ],
)
def test_reid_key_and_upstream_keys_map_onto_each_other(keys, expected):
    """`reid:` and upstream's `with_reid`/`model` resolve to one setting that every tracker reads alike."""
    from ultralytics.trackers.config import resolve_reid

    cfg = IterableSimpleNamespace(**keys)
    assert resolve_reid(cfg) == expected[0]
    assert (cfg.reid, cfg.with_reid, cfg.model) == expected


@pytest.mark.parametrize(
    "keys, named",
    [
        ({"reid": "native", "with_reid": False}, ("reid: native", "with_reid: False")),
        ({"reid": "off", "with_reid": True, "model": "auto"}, ("reid: off", "with_reid: True")),
        ({"reid": "native", "model": "my-reid.onnx"}, ("reid: native", "model: my-reid.onnx")),
    ],
)
def test_contradictory_reid_settings_raise_naming_both_keys(tmp_path, keys, named):
    """`model.track` with a YAML whose reid and with_reid/model disagree raises a ValueError naming both."""
    cfg = {k: v for k, v in YAML.load(ROOT / "cfg/trackers/botsort.yaml").items() if k not in {"with_reid", "model"}}
    yaml = tmp_path / "contradiction.yaml"
    YAML.save(yaml, {**cfg, **keys})
    with pytest.raises(ValueError) as e:
        YOLO("yolo26n.yaml").track(cv2.imread(str(ASSETS / "bus.jpg")), tracker=str(yaml), verbose=False)
    for key in named:
        assert key in str(e.value)


def test_native_yaml_ships_with_native_reid():
    """botsort_native_reid.yaml ships in the package: native colour descriptor, scene-calibrated reid association."""
    cfg = YAML.load(ROOT / "cfg/trackers" / NATIVE)
    assert cfg["tracker_type"] == "botsort" and cfg["reid"] == "native" and cfg["descriptor"] == "color"
    assert cfg["association"] == "reid" and cfg["reid_confidence"] == 0.8 and cfg["track_buffer_s"] == 5.0
    assert "with_reid" not in cfg and "model" not in cfg and "proximity" not in cfg
    assert YAML.load(ROOT / "cfg/trackers/botsort.yaml").get("proximity", "iou") == "iou"  # upstream unchanged


# ---------------------------------------------------------------------------------------------------------------------
# Real tracking: a real person detector on a short real clip, from Python and from the CLI


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    """A short video composed from a real photo (people in bus.jpg) panned across 24 frames."""
    img = cv2.imread(str(ASSETS / "bus.jpg"))
    h, w = 540, 640
    path = tmp_path_factory.mktemp("clip") / "bus_pan.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (w, h))
    for k in range(24):
        writer.write(np.ascontiguousarray(img[200 : 200 + h, 4 * k : 4 * k + w]))
    writer.release()
    return path


def test_model_track_with_native_yaml_persists_across_calls(person_model, clip):
    """`model.track(frame, tracker="botsort_native_reid.yaml", persist=True)` frame by frame keeps IDs and features.

    IDs persist across calls and the tracks carry native appearance features, with nothing but the detector.
    """
    model = YOLO(person_model)
    cap = cv2.VideoCapture(str(clip))
    ids_per_frame = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        r = model.track(frame, tracker=NATIVE, persist=True, conf=0.25, verbose=False)[0]
        ids_per_frame.append(set(r.boxes.id.int().tolist()) if r.boxes.is_track else set())
    tracker = model.predictor.trackers[0]
    assert tracker.args.reid == "native" and tracker.encoder is not None
    people = ids_per_frame[-1]
    assert len(people) >= 2, ids_per_frame
    assert all(people <= ids for ids in ids_per_frame[5:]), ids_per_frame  # the same IDs in every later frame
    assert all(t.smooth_feat is not None and t.smooth_feat.shape[0] > 0 for t in tracker.tracked_stracks)


def test_yolo_track_cli_with_native_yaml(person_model, clip, tmp_path):
    """`yolo track model=M source=S tracker=botsort_native_reid.yaml` runs, tracks, saves, and warns about nothing."""
    r = subprocess.run(
        [
            str(BIN / "yolo"),
            "track",
            f"model={person_model}",
            f"source={clip}",
            f"tracker={NATIVE}",
            "save=True",
            f"project={tmp_path}",
            "name=run",
            "exist_ok=True",
            "conf=0.25",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "24/24" in out, out[-2000:]
    assert "WARNING" not in out, out[-2000:]
    assert list((tmp_path / "run").glob("bus_pan.*"))
    assert not list(tmp_path.rglob("*-cls.pt"))


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run Python code in a fresh interpreter (outside any source tree)."""
    env = {**os.environ, "PYTHONPATH": ""}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.mark.parametrize(("fmt", "named"), [("torchscript", "TorchScript"), ("onnx", "onnx"), ("openvino", "openvino")])
def test_exported_model_falls_back_to_motion_with_one_warning(person_model, tmp_path, fmt, named):
    """`descriptor: anchor` needs feature maps an exported model does not give: one warning, motion only, no download.

    Upstream crashes here (NotImplementedError for TorchScript, a download of yolo26n-cls.pt otherwise); the warning
    names the model and the remedies. (`descriptor: color` needs no maps: see tests/test_exported.py.)
    """
    code = f"""
import shutil
from ultralytics import YOLO
from ultralytics.utils import ASSETS, ROOT, YAML
cfg = YAML.load(ROOT / "cfg/trackers/{NATIVE}")  # start tracks from lower scores: bus.jpg at 320 px
YAML.save("native.yaml", {{**cfg, "track_high_thresh": 0.2, "new_track_thresh": 0.2, "descriptor": "anchor"}})
shutil.copy("{person_model}", "person.pt")
path = YOLO("person.pt").export(format="{fmt}", imgsz=320)
model = YOLO(path, task="detect")
for _ in range(3):
    r = model.track(str(ASSETS / "bus.jpg"), tracker="native.yaml", imgsz=320, persist=True, conf=0.1, verbose=False)
t = model.predictor.trackers[0]
print("REID", t.args.reid, t.encoder, "TRACKS", len(t.tracked_stracks), r[0].boxes.is_track)
"""
    r = run_python(code, tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "REID off None TRACKS" in out and "True" in out.split("TRACKS")[-1], out[-3000:]
    assert out.count("cannot provide native ReID features") == 1, out
    assert named in out and "reid: path/to/encoder" in out and "'descriptor: color' also works" in out
    assert "AutoUpdate" not in out, "a package was installed at run time"
    assert [p.name for p in tmp_path.rglob("*.pt")] == ["person.pt"], "something was downloaded"


def test_rtdetr_head_falls_back_without_download(tmp_path):
    """A non-YOLO head (RT-DETR) gets the same warning and tracks with motion only, nothing downloaded."""
    code = f"""
from ultralytics import RTDETR
from ultralytics.utils import ASSETS
model = RTDETR("rtdetr-l.yaml")
model.track(str(ASSETS / "bus.jpg"), tracker="{NATIVE}", imgsz=320, conf=0.001, verbose=False)
print("REID", model.predictor.trackers[0].args.reid)
"""
    r = run_python(code, tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "REID off" in out and out.count("cannot provide native ReID features") == 1
    assert "RTDETRDecoder" in out
    assert not [p for p in tmp_path.rglob("*.pt")]


# ---------------------------------------------------------------------------------------------------------------------
# The demo


def run_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run tools/demo.py as a user would."""
    demo = Path(__file__).resolve().parents[1] / "tools/demo.py"
    return subprocess.run([sys.executable, str(demo), *args], capture_output=True, text=True, cwd=cwd)


def test_demo_writes_video_identity_sheet_and_mot_tracks(person_model, clip, tmp_path):
    """The demo tracks with botsort_native_reid.yaml and writes the video, the identity sheet and the MOT tracks.

    They go into a new folder, the output says where each is, and the next run gets a numbered folder like `yolo`'s.
    """
    out = tmp_path / "demo"
    args = ("--source", str(clip), "--model", str(person_model), "--out", str(out), "--conf", "0.25")
    r = run_demo(*args, "--frames", "12", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert NATIVE in r.stdout and "12 frames" in r.stdout
    rows = [line.split(",") for line in (out / "bus_pan.txt").read_text().splitlines()]
    assert rows and all(len(row) == 10 and 1 <= int(row[0]) <= 12 and int(row[1]) >= 1 for row in rows)
    assert cv2.VideoCapture(str(out / "bus_pan.mp4")).get(cv2.CAP_PROP_FRAME_COUNT) == 12
    sheet = cv2.imread(str(out / "identities.jpg"))
    ids = {int(row[1]) for row in rows}
    assert sheet is not None and sheet.shape[0] >= 40 + 100 * min(len(ids), 1)
    for name in ("bus_pan.mp4", "identities.jpg", "bus_pan.txt"):
        assert str(out / name) in r.stdout
    r = run_demo(*args, "--frames", "3", cwd=tmp_path)
    assert r.returncode == 0 and (tmp_path / "demo-2" / "bus_pan.txt").is_file()
    assert (out / "bus_pan.txt").read_text().splitlines() == [",".join(row) for row in rows]  # the first run is kept


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--frames", "0"), "must be at least 1"),
        (("--conf", "1.5"), "must be in [0, 1]"),
        (("--imgsz", "-640"), "must be at least 1"),
        (("--source", "missing.avi"), "cannot read video missing.avi"),
        (("--model", "missing.pt"), "model missing.pt not found"),
        (("--tracker", "botsort_native_reid.yaml:x"), "botsort_native_reid.yaml:x"),
    ],
)
def test_demo_refuses_bad_input_before_writing_anything(person_model, clip, tmp_path, args, error):
    """A bad option value, source, model or tracker: exit 2 with one line naming it, and no output folder."""
    base = {"--source": str(clip), "--model": str(person_model), "--out": str(tmp_path / "demo")}
    base.update(dict(zip(args[::2], args[1::2])))
    r = run_demo(*[x for kv in base.items() for x in kv], cwd=tmp_path)
    assert r.returncode == 2 and error in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "demo").exists()
