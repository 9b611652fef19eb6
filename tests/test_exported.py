"""Native ReID on exported models: the colour descriptor from the input tensor, parity with the PyTorch model.

Real runs: the offline person detector exported to ONNX (onnxruntime, CPU), TorchScript and OpenVINO, tracking a real
PETS09-S2L1 clip with native ReID, against the same detector in PyTorch.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import assert_same_tracks, clip_tracks
from ultralytics import YOLO

ARGS = {"conf": 0.1, "imgsz": 640, "rect": False, "verbose": False}  # rect=False: every format sees a 640x640 input
FORMATS = ("onnx", "torchscript", "openvino")


def export_copies(person_model: Path, folder: Path, formats: tuple[str, ...], **kwargs) -> dict[str, str]:
    """The person detector, copied into `folder`, exported to each format, by format."""
    model = shutil.copy(person_model, folder / "person.pt")
    return {fmt: YOLO(model).export(format=fmt, imgsz=640, verbose=False, **kwargs) for fmt in formats}


@pytest.fixture(scope="module")
def exported(person_model, tmp_path_factory) -> dict[str, str]:
    """The person detector exported to each format (no ReID option needed), by format."""
    return export_copies(person_model, tmp_path_factory.mktemp("export"), FORMATS)


@pytest.fixture(scope="module")
def pytorch_tracks(person_model, pets_clips, native_low_yaml) -> list:
    """The PyTorch model's tracks of the first clip with native ReID."""
    return clip_tracks(YOLO(person_model), pets_clips[0], tracker=str(native_low_yaml), **ARGS)


def track_exported(path: str, clip: Path, tracker: Path, dim: int = 256) -> list:
    """Tracks of the clip by an exported model; checks it used `dim`-d native features, no encoder, no download."""
    model = YOLO(path, task="detect")
    rows = clip_tracks(model, clip, tracker=str(tracker), **ARGS)
    t = model.predictor.trackers[0]
    assert t.args.reid == "native" and t.encoder is not None  # the native pass-through, not an external model
    assert t.tracked_stracks and all(s.smooth_feat is not None and len(s.smooth_feat) == dim for s in t.tracked_stracks)
    assert not list(Path(path).parent.rglob("*-cls.pt"))  # no classifier downloaded
    return rows


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_exported_model_tracks_like_pytorch_with_native_features(
    fmt, exported, pets_clips, native_low_yaml, pytorch_tracks, warnings
):
    """`model.track(tracker=botsort_native_reid.yaml)` on an exported model: native features, same tracks as PyTorch.

    Same IDs on the same frames as the PyTorch model, boxes within 1 px; no warning, no download, no install.
    """
    got = track_exported(exported[fmt], pets_clips[0], native_low_yaml)
    assert not [r.getMessage() for r in warnings]
    assert len({i for _, i, _ in pytorch_tracks}) >= 4  # several people to keep apart
    assert_same_tracks(got, pytorch_tracks, atol=1.0)


def test_openvino_model_tracks_with_native_features(exported, pets_clips, native_low_yaml, warnings):
    """OpenVINO tracks with native features too, without warnings.

    Its tracks are not compared ID for ID: on CPUs with bf16 support OpenVINO runs the model in bf16 by default
    (upstream's setting), so scores differ from PyTorch by about 0.01 and a detection near a threshold can differ.
    """
    got = track_exported(exported["openvino"], pets_clips[0], native_low_yaml)
    assert not [r.getMessage() for r in warnings]
    assert len({i for _, i, _ in got}) >= 4


# ---------------------------------------------------------------------------------------------------------------------
# export(reid=True): per-anchor native features computed inside the exported graph


@pytest.fixture(scope="module")
def exported_reid(person_model, tmp_path_factory) -> dict[str, str]:
    """The person detector exported with `reid=True`, by format."""
    return export_copies(person_model, tmp_path_factory.mktemp("export_reid"), ("onnx", "torchscript"), reid=True)


@pytest.fixture(scope="module")
def anchor_yaml(native_low_yaml, tmp_path_factory) -> Path:
    """The native tracker with the map-based `anchor` descriptor."""
    from ultralytics.utils import YAML

    path = tmp_path_factory.mktemp("cfg") / "anchor.yaml"
    YAML.save(path, {**YAML.load(native_low_yaml), "descriptor": "anchor"})
    return path


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_reid_export_tracks_like_pytorch_with_anchor_features(
    fmt, person_model, exported_reid, pets_clips, anchor_yaml, warnings
):
    """`descriptor: anchor` on a model exported with `reid=True`: features from the graph, same tracks as PyTorch."""
    want = clip_tracks(YOLO(person_model), pets_clips[0], tracker=str(anchor_yaml), **ARGS)
    got = track_exported(exported_reid[fmt], pets_clips[0], anchor_yaml, dim=128)
    assert not [r.getMessage() for r in warnings]
    assert len({i for _, i, _ in want}) >= 4
    assert_same_tracks(got, want, atol=1.0)


@pytest.mark.parametrize("cfg", ["yolo26n.yaml", "yolo11n-seg.yaml", "yolo26n-pose.yaml", "yolo11n-obb.yaml"])
def test_reid_export_graph_computes_the_pytorch_features_per_anchor(cfg, tmp_path):
    """For every head, the ONNX graph's `feats` output equals PyTorch's per-anchor features, anchor for anchor.

    And its detection outputs are those of the same model exported without `reid`, so predict and val are unchanged.
    """
    import numpy as np
    import onnxruntime as ort
    import torch

    from ultralytics.trackers.utils.descriptors import anchor_features

    pt = tmp_path / cfg.replace(".yaml", ".pt")
    YOLO(cfg).save(pt)
    plain = YOLO(pt).export(format="onnx", imgsz=320, verbose=False)
    plain = shutil.move(plain, tmp_path / "plain.onnx")
    reid = YOLO(pt).export(format="onnx", imgsz=320, reid=True, verbose=False)
    im = torch.rand(1, 3, 320, 320)

    net = YOLO(pt).model.fuse().eval()
    maps = []
    net.model[-1].register_forward_pre_hook(lambda m, x: maps.append(x[0]))
    with torch.no_grad():
        net(im)
    want = anchor_features(maps[0]).transpose(1, 2).numpy()

    s = ort.InferenceSession(str(reid))
    names = [o.name for o in s.get_outputs()]
    assert names[-1] == "feats", names
    out = s.run(None, {"images": im.numpy()})
    np.testing.assert_allclose(out[-1], want, atol=1e-4, rtol=1e-3)
    base = ort.InferenceSession(str(plain)).run(None, {"images": im.numpy()})
    assert len(out) == len(base) + 1
    for a, b in zip(out, base):
        np.testing.assert_allclose(a, b, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"format": "onnx", "nms": True}, "external NMS"),
        ({"format": "onnx", "nms": False}, "external NMS"),
        ({"format": "coreml"}, "reid"),
    ],
)
def test_reid_export_refuses_outputs_whose_rows_are_not_anchors(kwargs, match, tmp_path):
    """Embedded or NMS-free outputs, and formats without the option, fail at export with a clear message."""
    pt = tmp_path / "yolo26n.pt"
    YOLO("yolo26n.yaml").save(pt)
    with pytest.raises((ValueError, AssertionError), match=match):
        YOLO(pt).export(imgsz=320, reid=True, **kwargs)


def test_yolo_export_cli_reid(tmp_path):
    """`yolo export format=onnx reid=True` writes an ONNX model with the `feats` output and records it in metadata."""
    import subprocess
    import sysconfig

    import onnx

    pt = tmp_path / "yolo11n.pt"
    YOLO("yolo11n.yaml").save(pt)
    yolo = Path(sysconfig.get_paths()["scripts"]) / "yolo"
    r = subprocess.run(
        [str(yolo), "export", f"model={pt}", "format=onnx", "reid=True", "imgsz=320"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr
    m = onnx.load(tmp_path / "yolo11n.onnx")
    assert [o.name for o in m.graph.output] == ["output0", "feats"]
    meta = {p.key: p.value for p in m.metadata_props}
    assert "'reid': True" in meta["args"]


def test_exported_model_uses_a_configured_external_encoder(exported, pets_clips, tmp_path):
    """`reid: path/to/encoder.pt` with an exported detector runs that encoder on the crops, downloading nothing."""
    from ultralytics.trackers.utils.reid import ReID
    from ultralytics.utils import ROOT, YAML

    encoder = tmp_path / "encoder.pt"
    YOLO("yolo11n-cls.yaml").save(encoder)
    base = {k: v for k, v in YAML.load(ROOT / "cfg/trackers/botsort.yaml").items() if k not in {"with_reid", "model"}}
    cfg = tmp_path / "external.yaml"
    YAML.save(cfg, {**base, "reid": str(encoder), "new_track_thresh": 0.3, "track_high_thresh": 0.3})
    model = YOLO(exported["onnx"], task="detect")
    for _ in model.track(str(pets_clips[0]), tracker=str(cfg), stream=True, **ARGS):
        pass
    tracker = model.predictor.trackers[0]
    assert isinstance(tracker.encoder, ReID) and tracker.args.reid == str(encoder)
    assert tracker.tracked_stracks and all(t.smooth_feat is not None for t in tracker.tracked_stracks)
    assert sorted(p.name for p in tmp_path.rglob("*.pt")) == ["encoder.pt"]
