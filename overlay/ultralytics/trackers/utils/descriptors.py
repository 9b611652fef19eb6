# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""Native ReID descriptors: per-detection appearance vectors from what the detector already computed.

Every descriptor is batched over the detections of an image and returns its vectors on the model's device. Boxes are
given in the coordinates of the network input tensor (before scaling back to the original image), so a descriptor sees
exactly the pixels and feature-map cells the detector saw.

- ``anchor``: upstream's feature, the head-input cell of the anchor that produced the box, channels mean-reduced
  (``anchor_features``, picked by the anchor indices NMS or the one-to-one head kept).
- ``roi``: the head-input feature maps average-pooled over the box on every level, each level L2-normalized.
- ``color``: HSV colour histograms (8 hue x 4 saturation x 4 value bins) of the upper and lower half of the inner box
  (15 % trimmed on each side to drop background), sampled from the input tensor, square-rooted (Hellinger).

``color`` needs no feature maps, so it also works on exported models (ONNX, OpenVINO, TorchScript, ...): the
predictor computes it from the same input tensor and the boxes the exported model returns. ``anchor`` works on models
exported with ``reid=True``, which computes ``anchor_features`` inside the graph as an extra output
(``native_features.add_feature_output``). ``roi`` needs the feature maps themselves: PyTorch models only. Where the
inputs of a descriptor come from, and which anchor each kept box came from, is `native_features.NativeFeatures`'s.

Separability measured on PETS09-S2L1 (ROC AUC of cosine similarity, same vs different person, detections >= 5 frames
apart): anchor 0.523, roi 0.606, color 0.849. See docs/benchmarks.md for the command that reproduces it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch
import torch.nn.functional as F

DESCRIPTORS = ("anchor", "roi", "color")
PIXEL_DESCRIPTORS = ("color",)  # need only the input tensor and the boxes: also work on exported models
COLOR_BINS = (8, 4, 4)  # hue, saturation, value
COLOR_SAMPLES = (32, 16)  # rows x columns sampled inside each box
COLOR_TRIM = 0.15  # fraction of the box width trimmed on each side
COLOR_STRIPES = 2  # horizontal stripes (upper and lower body)

# How alike the same person and different people look with each descriptor, learnt offline (`tools/reid_prior.py`):
# histograms over similarity (1 + cosine) / 2 in [0, 1], 50 equal bins, per mille. `association: reid` starts every
# scene from these as a few pseudo-samples (`scene_reid.SceneStats`) and refines them with the scene's own.
# `color`: PETS09-S2L1, TUD-Stadtmitte and MOT16-09 (the development sequences as shipped), offline person detector.
SIMILARITY_PRIORS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "color": (
        (*(0,) * 32, 1, 1, 1, 1, 2, 3, 3, 10, 11, 16, 19, 35, 78, 124, 225, 265, 152, 54),
        (*(0,) * 27, 3, 2, 5, 11, 12, 16, 28, 29, 39, 42, 57, 84, 126, 141, 105, 113, 87, 45, 33, 12, 3, 3, 0),
    ),
}


def anchor_features(maps: list[torch.Tensor]) -> torch.Tensor:
    """Per-anchor native features: each anchor's head-input cell, channels mean-reduced to the narrowest level's width.

    Args:
        maps (list[torch.Tensor]): Head-input feature maps, each (B, C, h, w), in anchor order.

    Returns:
        (torch.Tensor): Features (B, num_anchors, min C), row `i` belonging to anchor `i` of the head's output.
    """
    s = min(x.shape[1] for x in maps)
    return torch.cat([x.permute(0, 2, 3, 1).reshape(x.shape[0], -1, s, x.shape[1] // s).mean(dim=-1) for x in maps], 1)


def _rois(boxes: torch.Tensor) -> torch.Tensor:
    """Boxes (n, 4) xyxy of one image as torchvision RoIs (n, 5) with batch index 0."""
    return torch.cat([boxes.new_zeros(len(boxes), 1), boxes[:, :4]], 1)


def _sample_matrix() -> np.ndarray:
    """Matrix (4, rows * cols * 2) mapping boxes (n, 4) xyxy to the x, y of their colour sample points.

    The points are the centres of a `COLOR_SAMPLES` grid over the inner box (`COLOR_TRIM` of the width trimmed on
    each side), where `roi_align(..., aligned=True, sampling_ratio=1)` samples. They are linear in the box corners, so
    one matrix product places every point of every box.
    """
    rows, cols = COLOR_SAMPLES
    u, v = np.meshgrid((np.arange(cols) + 0.5) / cols, (np.arange(rows) + 0.5) / rows)  # fractions of the inner box
    fx, fy = COLOR_TRIM + (1 - 2 * COLOR_TRIM) * u.ravel(), v.ravel()
    matrix = np.zeros((4, rows * cols, 2), np.float32)
    matrix[0, :, 0], matrix[2, :, 0] = 1 - fx, fx  # x = (1 - fx) * x1 + fx * x2
    matrix[1, :, 1], matrix[3, :, 1] = 1 - fy, fy  # y = (1 - fy) * y1 + fy * y2
    return matrix.reshape(4, -1)


_COLOR_MATRIX = _sample_matrix()
_COLOR_TOP = np.nextafter(np.float32(1), np.float32(2))  # histogram ranges exclude their end: keep S = V = 1 in range


def _color_samples(img: torch.Tensor, boxes: torch.Tensor) -> np.ndarray:
    """RGB samples (n * rows, cols, 3) of the `COLOR_SAMPLES` grid of each inner box, bilinear, in [0, 1].

    On the CPU one `cv2.remap` per channel reads the input in place; on other devices `roi_align` samples the same
    points there (the two agree to about 1e-5) and only the samples are copied to the host.
    """
    rows, cols = COLOR_SAMPLES
    if img.device.type == "cpu":
        points = (boxes[:, :4].float().numpy() @ _COLOR_MATRIX - 0.5).reshape(-1, cols, 2)  # pixel centres at .0
        planes = img[0].float().numpy()
        step = (32767 // rows - 1) * rows  # remap's output must stay under 32767 rows: up to 1022 boxes per call
        rgb = [
            cv2.merge([cv2.remap(p, points[i : i + step], None, cv2.INTER_LINEAR) for p in planes])
            for i in range(0, len(points), step)
        ]
        rgb = rgb[0] if len(rgb) == 1 else np.concatenate(rgb)
    else:
        from torchvision.ops import roi_align

        inner = boxes[:, :4].float().clone()
        trim = COLOR_TRIM * (inner[:, 2] - inner[:, 0])
        inner[:, 0] += trim
        inner[:, 2] -= trim
        samples = roi_align(img.float(), _rois(inner), COLOR_SAMPLES, spatial_scale=1.0, sampling_ratio=1, aligned=True)
        rgb = samples.permute(0, 2, 3, 1).reshape(-1, cols, 3).cpu().numpy()
    return np.clip(rgb, 0, 1, out=rgb)


def color_descriptor(img: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """HSV histograms of the upper and lower inner box, sampled from the network input.

    The samples are converted to HSV and counted into `COLOR_BINS` per stripe with OpenCV on the host (one
    `cv2.calcHist`, with the box stripe as an extra dimension): a few calls per image, whatever the number of boxes.

    Args:
        img (torch.Tensor): Network input of one image, (1, 3, H, W), RGB in [0, 1].
        boxes (torch.Tensor): Boxes (n, 4) xyxy in input coordinates.

    Returns:
        (torch.Tensor): Descriptors (n, stripes * prod(COLOR_BINS)), float32, L2-normalized, on the input's device.
    """
    if img.shape[1] != 3:
        raise ValueError(
            f"'descriptor: color' needs a 3-channel (RGB) model input, got {img.shape[1]} channels; use 'descriptor: "
            "roi' or 'anchor'"
        )
    n, stripes = len(boxes), len(boxes) * COLOR_STRIPES
    if not n:
        return torch.zeros(0, COLOR_STRIPES * math.prod(COLOR_BINS), device=img.device)
    hsv = cv2.cvtColor(_color_samples(img, boxes), cv2.COLOR_RGB2HSV)  # hue in degrees, S and V in [0, 1]
    rows, cols = COLOR_SAMPLES
    stripe = np.repeat(np.arange(stripes, dtype=np.float32), rows * cols // COLOR_STRIPES).reshape(n * rows, cols)
    ranges = [0, stripes, 0, 360, 0, _COLOR_TOP, 0, _COLOR_TOP]
    hist = cv2.calcHist([stripe, hsv], [0, 1, 2, 3], None, [stripes, *COLOR_BINS], ranges).reshape(n, -1)
    return F.normalize(torch.from_numpy(np.sqrt(hist)), dim=1).to(img.device)


def roi_descriptor(maps: list[torch.Tensor], img_shape: tuple[int, int], boxes: torch.Tensor) -> torch.Tensor:
    """Head-input feature maps average-pooled over each box, per level L2-normalized and concatenated.

    Args:
        maps (list[torch.Tensor]): Head-input feature maps of one image, each (1, C, h, w).
        img_shape (tuple[int, int]): Network input height and width.
        boxes (torch.Tensor): Boxes (n, 4) xyxy in input coordinates.

    Returns:
        (torch.Tensor): Descriptors (n, sum(C)), float32.
    """
    from torchvision.ops import roi_align

    rois = _rois(boxes.float())
    levels = [
        roi_align(m.float(), rois, (1, 1), spatial_scale=m.shape[-2] / img_shape[0], sampling_ratio=2, aligned=True)
        for m in maps
    ]
    return torch.cat([F.normalize(level.flatten(1), dim=1) for level in levels], 1)


def describe(kind: str, maps: list[torch.Tensor], img: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """Native ReID descriptors of the boxes of one image, for the descriptors pooled over the box.

    Args:
        kind (str): ``roi`` or ``color`` (``anchor`` is per anchor: ``anchor_features``, picked by anchor index).
        maps (list[torch.Tensor]): Head-input feature maps of this image, each (1, C, h, w).
        img (torch.Tensor): Network input of this image, (1, 3, H, W).
        boxes (torch.Tensor): Kept boxes (n, 4) xyxy in input coordinates.

    Returns:
        (torch.Tensor): Descriptors (n, D), one row per box, on the model's device.

    Examples:
        >>> feats = describe("color", maps, img, boxes)
    """
    if kind == "roi":
        return roi_descriptor(maps, img.shape[-2:], boxes)
    if kind == "color":
        return color_descriptor(img, boxes)
    raise ValueError(f"'{kind}' is not a box-pooled native ReID descriptor; choose 'roi' or 'color'")
