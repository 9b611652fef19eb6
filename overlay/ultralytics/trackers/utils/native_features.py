# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""Native ReID features: one appearance vector per kept detection, from what the detector already computed.

`NativeFeatures` owns everything about them for one predictor, held as ``predictor.native_features``:

- where they come from: hooks on the YOLO head that keep its input feature maps (PyTorch models), the extra ``feats``
  output of a model exported with ``reid=True`` (split off its inference), or only the network input and the boxes
  (``descriptor: color`` on any YOLO model, exported included);
- which anchor each kept box came from: the indices NMS returns, or, for end-to-end heads (YOLO26, ``nms=False``), the
  anchors of the one-to-one head's top-k, recomputed by a hook with the head's own ``get_topk_index``;
- the descriptor (``trackers/utils/descriptors.py``) and its computation, batched on the model's device;
- keeping features aligned when segment drops mask-less detections.

`FeatureRows` checks, per tracker, the feature rows that reach ``tracker.update(..., feats=...)``, native or not.

The tracking callbacks create it (`NativeFeatures.attach` in ``on_predict_start``); ``DetectionPredictor.postprocess``
asks it for the features of the boxes it keeps (`NativeFeatures.features`) and puts them on ``Results.feats``, which
``on_predict_postprocess_end`` hands to ``tracker.update(..., feats=...)``. It imports nothing of the predictors; they
and the tracking callbacks import it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ultralytics.utils import LOGGER, ops

from .descriptors import PIXEL_DESCRIPTORS, anchor_features, describe


def native_feature_head(model: Any) -> tuple[torch.nn.Module | None, str]:
    """Return the YOLO detection head whose input feature maps give native ReID features, or why there is none.

    Args:
        model (ultralytics.nn.autobackend.AutoBackend): The predictor's model.

    Returns:
        (tuple[torch.nn.Module | None, str]): The `Detect`-family head, or None and the reason native features are
            unavailable (exported or TorchScript models do not expose their feature maps; other heads have none).
    """
    from ultralytics.nn.modules.head import Detect

    net = getattr(model, "model", None)
    if isinstance(net, torch.jit.ScriptModule):
        return None, "TorchScript models do not expose their feature maps"
    if not isinstance(net, torch.nn.Module):
        return None, f"exported '{getattr(model, 'format', 'unknown')}' models do not expose their feature maps"
    layers = getattr(net, "model", None)
    head = layers[-1] if isinstance(layers, torch.nn.Sequential) and len(layers) else None
    if not isinstance(head, Detect):
        return None, f"its head ({type(head).__name__ if head is not None else type(net).__name__}) is not a YOLO head"
    return head, ""


def add_feature_output(head: torch.nn.Module) -> torch.utils.hooks.RemovableHandle:
    """Make a YOLO head also return its per-anchor native features (B, min C, num_anchors) as its last output.

    Used by ``export(reid=True)``: the features are computed inside the exported graph from the same maps, by the same
    operations, as in PyTorch tracking, laid out like the head's own (B, 4 + nc, num_anchors) output.

    Args:
        head (torch.nn.Module): The model's ``Detect``-family head, in export mode.

    Returns:
        (torch.utils.hooks.RemovableHandle): The forward hook's handle.
    """

    def hook(module: torch.nn.Module, inputs: tuple, output: torch.Tensor | tuple) -> tuple:
        feats = anchor_features(inputs[0]).transpose(1, 2)
        return (*output, feats) if isinstance(output, (tuple, list)) else (output, feats)

    return head.register_forward_hook(hook)


class NativeFeatures:
    """The native ReID features of one predictor (see the module docstring).

    Attributes:
        predictor (BasePredictor): The predictor whose detections get features.
        descriptor (str): ``anchor``, ``roi`` or ``color``.
        maps (list[torch.Tensor] | torch.Tensor | None): The head's input feature maps of the last inference, or the
            per-anchor features (B, C, anchors) a model exported with ``reid=True`` returned; None for ``color`` on
            exported models, which needs only the input and the boxes.
        anchors (torch.Tensor | None): End-to-end heads: per image, the anchors of the one-to-one head's top-k.

    Examples:
        >>> NativeFeatures.attach(predictor, cfg, yolo=True)  # in on_predict_start; None and one warning if impossible
        >>> feats = predictor.native_features.features(idxs, img, preds)  # in postprocess, per image
    """

    def __init__(self, predictor: Any, descriptor: str):
        """Hold the features of ``predictor``'s detections, computed as ``descriptor``; `attach` sets the sources."""
        self.predictor = predictor
        self.descriptor = descriptor
        self.maps = None
        self.anchors = None
        self._handles = []  # hooks on the head
        self._inference = None  # the predictor's own inference, where a reid=True export's output is split

    @property
    def active(self) -> bool:
        """Whether features are computed: in track mode only (a plain predict on the same predictor computes none)."""
        return self.predictor.args.mode == "track"

    @classmethod
    def attach(cls, predictor: Any, cfg: Any, yolo: bool) -> NativeFeatures | None:
        """Give ``predictor`` native features for a tracker config, replacing any earlier ones.

        Where the model cannot provide the configured descriptor (RT-DETR; ``anchor`` or ``roi`` on an exported model
        without ``reid=True`` features), one warning names the model and the remedies, ``cfg`` is set to ``reid:
        off`` and the trackers track by motion; nothing is downloaded.

        Args:
            predictor (BasePredictor): The predictor.
            cfg (TrackerConfig): The checked tracker config (`ultralytics.trackers.config`).
            yolo (bool): Whether the predictor is a YOLO ``DetectionPredictor``, whose postprocess asks for the
                features of the boxes it keeps (the caller knows; this module does not import the predictors).

        Returns:
            (NativeFeatures | None): The features now held as ``predictor.native_features``, or None.
        """
        old = getattr(predictor, "native_features", None)
        if old is not None:
            old.detach()
        predictor.native_features = None
        if getattr(cfg, "reid", "off") != "native":
            return None
        self = cls(predictor, cfg.descriptor)
        head, reason = native_feature_head(predictor.model)
        exported = (getattr(predictor.model, "metadata", None) or {}).get("args", {}).get("reid", False)
        if head is not None:
            self._handles.append(head.register_forward_pre_hook(self._keep_maps))
            if head.end2end:  # kept rows index the one-to-one head's top-k; features need those anchors' indices
                self._handles.append(head.register_forward_hook(self._keep_anchors))
        elif yolo and self.descriptor in PIXEL_DESCRIPTORS:
            pass  # e.g. exported: the input tensor and the boxes are all it needs
        elif yolo and exported and self.descriptor == "anchor":
            self._inference = predictor.inference
            predictor.inference = self._split_inference
        else:  # never fall back to downloading an encoder the user did not configure
            hint = " 'descriptor: color' also works on exported YOLO models, 'anchor' on those exported with reid=True;"
            hint = hint if yolo else ""
            LOGGER.warning(
                f"'{predictor.args.model}' cannot provide native ReID features: {reason}. Tracking with motion only. "
                f"For native ReID use a PyTorch YOLO detect/segment/pose/obb model (.pt or .yaml);{hint} or set "
                "'reid: path/to/encoder' in the tracker YAML for an external ReID model."
            )
            cfg.reid, cfg.with_reid = "off", False
            return None
        predictor.native_features = self
        return self

    def detach(self) -> None:
        """Remove the hooks and restore the predictor's inference."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._inference is not None:
            self.predictor.inference = self._inference
            self._inference = None

    def _keep_maps(self, module: torch.nn.Module, inputs: tuple) -> None:
        """Forward pre-hook on the head: keep its input maps (a new list: the forward may change the one it gets)."""
        self.maps = list(inputs[0]) if self.active else None

    def _keep_anchors(self, module: torch.nn.Module, inputs: tuple, output: Any) -> None:
        """Forward hook on an end-to-end head: the anchors of the one-to-one top-k, per image."""
        raw = output[-1] if isinstance(output, tuple) and isinstance(output[-1], dict) else {}
        scores = raw.get("one2one", {}).get("scores") if self.active else None
        self.anchors = (
            None if scores is None else module.get_topk_index(scores.sigmoid().permute(0, 2, 1), module.max_det)[2]
        )

    def _split_inference(self, im: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        """The inference of a model exported with ``reid=True``: keep its last output, the per-anchor features."""
        *preds, feats = self._inference(im, *args, **kwargs)
        self.maps = feats if self.active else None
        return preds[0] if len(preds) == 1 else preds

    def features(self, idxs: list[torch.Tensor], img: torch.Tensor, preds: list[torch.Tensor]) -> list:
        """The native features of the detections a predictor keeps, per image.

        Args:
            idxs (list[torch.Tensor]): Per image, the kept rows' indices into the head's output, as NMS returns them.
            img (torch.Tensor): Network input (B, 3, H, W).
            preds (list[torch.Tensor]): Per image, the kept detections; boxes in input coordinates (xywhr for OBB).

        Returns:
            (list[torch.Tensor | list]): Per image, features (n, D) aligned with its kept detections, or an empty list
                for an image without detections.
        """
        if self.anchors is not None:  # end-to-end: rows index the one-to-one head's top-k anchors
            idxs = [anchors[i] for anchors, i in zip(self.anchors, idxs)]
        if self.descriptor == "anchor":  # exported with reid=True: per anchor already, (B, C, anchors)
            exported = isinstance(self.maps, torch.Tensor)
            per_anchor = self.maps.transpose(1, 2) if exported else anchor_features(self.maps)
            return [feats[idx] if idx.shape[0] else [] for feats, idx in zip(per_anchor, idxs)]
        obb = self.predictor.args.task == "obb"
        boxes = [ops.xywh2xyxy(p[:, :4]) if obb else p[:, :4] for p in preds]  # axis-aligned, input coordinates
        maps = self.maps or []
        return [
            describe(self.descriptor, [m[i : i + 1] for m in maps], img[i : i + 1], b) if idx.shape[0] else []
            for i, (b, idx) in enumerate(zip(boxes, idxs))
        ]

    def keep_masked(self, results: list) -> list:
        """Segment: drop the detections without a mask together with their features, so both stay aligned."""
        for i, r in enumerate(results):
            if r.masks is not None and not (keep := r.masks.data.amax((-2, -1)) > 0).all():
                results[i] = r[keep]
                results[i].feats = r.feats[keep]
        return results


class FeatureRows:
    """The per-detection feature rows a tracker receives, checked: one per detection, one dimension, usable values.

    Any float dtype and any torch device are accepted. A row that is NaN, infinite or all zero carries no appearance:
    it is zeroed, so that detection is matched by motion only, and the first time a tracker sees such rows it logs one
    warning. The feature dimension is fixed until `reset` (a new stream may come from another model).

    Attributes:
        dim (int | None): Feature dimension seen so far.
        warned (bool): Whether the warning about unusable rows was shown.

    Examples:
        >>> rows = FeatureRows()  # one per tracker
        >>> feats = rows.check(feats, len(detections))  # in update: float32 (n, D) numpy, or None
    """

    def __init__(self):
        """No dimension seen, no warning shown."""
        self.dim = None
        self.warned = False

    def reset(self) -> None:
        """Accept another feature dimension (a new stream); the warning stays shown once per tracker."""
        self.dim = None

    def check(self, feats: np.ndarray | torch.Tensor | list | None, n: int) -> np.ndarray | None:
        """Return the features as a float32 (n, D) array on the CPU, or None when there are none.

        Args:
            feats (np.ndarray | torch.Tensor | list | None): One feature row per detection, in detection order.
            n (int): Number of detections the features must align with.

        Returns:
            (np.ndarray | None): The features, or None when `feats` is None or empty for an empty frame.

        Raises:
            ValueError: If the number of feature rows differs from the number of detections, or the feature dimension
                differs from earlier frames of the same tracker.
        """
        if feats is None or (n == 0 and len(feats) == 0):
            return None
        if isinstance(feats, torch.Tensor):
            feats = feats.detach().float().cpu().numpy()
        feats = np.array(feats, dtype=np.float32)  # a copy: invalid rows are zeroed below
        if len(feats) != n:
            raise ValueError(
                f"feats has {len(feats)} rows but there are {n} detections; pass exactly one feature row per "
                "detection, in the same order as the detections"
            )
        feats = feats.reshape(n, -1)
        if self.dim is not None and feats.shape[1] != self.dim:
            raise ValueError(
                f"feats have {feats.shape[1]} dimensions but this tracker has seen {self.dim}-dimensional features (a "
                "different model mid-stream?); call tracker.reset() before switching models"
            )
        bad = ~np.isfinite(feats).all(1) | ~feats.any(1)
        if bad.any():
            feats[bad] = 0.0
            if not self.warned:
                LOGGER.warning(
                    f"{int(bad.sum())} of {n} ReID feature rows are NaN, infinite or all zero; those detections are "
                    "matched by motion only (this warning is shown once per tracker)"
                )
                self.warned = True
        self.dim = feats.shape[1]
        return feats
