"""BoT-SORT's global motion compensation (sparseOptFlow GMC) against known camera motion, and tools/moving_camera.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools/moving_camera.py"


def run(*args: str) -> subprocess.CompletedProcess:
    """Run the moving-camera tool as a developer would."""
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def sequence(pets_clips, person_model, tmp_path_factory) -> Path:
    """A 20-frame PETS09 clip as a MOTChallenge sequence; the person detector's boxes stand in for its ground truth."""
    from ultralytics import YOLO

    seq = tmp_path_factory.mktemp("seq") / "PETS-a"
    (seq / "gt").mkdir(parents=True)
    rows = []
    for f, r in enumerate(YOLO(person_model).predict(str(pets_clips[0]), conf=0.3, verbose=False, stream=True), 1):
        for i, (x1, y1, x2, y2) in enumerate(r.boxes.xyxy.tolist()):
            rows.append(f"{f},{i + 1},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},1,1,1\n")
    (seq / "gt" / "gt.txt").write_text("".join(rows))
    (seq / "seqinfo.ini").write_text(
        f"[Sequence]\nname=PETS-a\nvideo={pets_clips[0]}\nframeRate=7\nseqLength=20\nimWidth=768\nimHeight=576\n"
    )
    return seq


@pytest.fixture(scope="module")
def moving(sequence, tmp_path_factory) -> Path:
    """The sequence filmed again by a fast virtual camera (about 17 px of motion per frame)."""
    out = tmp_path_factory.mktemp("cam")
    r = run("make", "--seq", str(sequence), "--out", str(out), "--speed", "3", "--suffix", "FAST")
    assert r.returncode == 0, r.stderr[-3000:]
    return out / "PETS-a-FAST"


def textured(h: int = 480, w: int = 640, seed: int = 0, sigma: float = 2.0) -> np.ndarray:
    """A BGR image of smoothed random texture: plenty of corners, no repeated pattern."""
    noise = np.random.default_rng(seed).uniform(0, 255, (h, w)).astype(np.float32)
    img = cv2.GaussianBlur(noise, (0, 0), sigma)
    img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def shifted(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """The image seen by a camera that moved so that the scene moves by (dx, dy) pixels."""
    return cv2.warpAffine(img, np.float32([[1, 0, dx], [0, 1, dy]]), img.shape[1::-1], borderMode=cv2.BORDER_REFLECT)


def test_help_names_both_commands():
    """`--help` documents `make` and `gmc`."""
    r = run("--help")
    assert r.returncode == 0 and "make" in r.stdout and "gmc" in r.stdout


def test_bad_input_gets_a_clear_error(sequence, tmp_path):
    """A folder that is no sequence, or `gmc` on a sequence without recorded camera motion: exit 2, saying why."""
    r = run("make", "--seq", str(tmp_path), "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "seqinfo.ini not found" in r.stderr, r.stderr
    r = run("gmc", "--seqs", str(sequence))
    assert r.returncode == 2 and "camera.txt not found" in r.stderr, r.stderr


def test_make_films_the_frames_and_ground_truth_with_the_recorded_camera(pets_clips, sequence, moving):
    """Every output frame is the recorded warp of the real frame, and every box is warped with it."""
    warps = np.loadtxt(moving / "camera.txt").reshape(-1, 2, 3)
    assert warps.shape == (20, 2, 3) and len(list((moving / "img1").glob("*.jpg"))) == 20
    cap = cv2.VideoCapture(str(pets_clips[0]))
    for i in range(20):
        real = cap.read()[1]
        want = cv2.warpAffine(real, warps[i], real.shape[1::-1])
        got = cv2.imread(str(moving / "img1" / f"{i + 1:06d}.jpg"))
        assert np.abs(got.astype(int) - want.astype(int)).mean() < 3  # JPEG quality 95
    src = np.loadtxt(sequence / "gt" / "gt.txt", delimiter=",", ndmin=2)
    dst = np.loadtxt(moving / "gt" / "gt.txt", delimiter=",", ndmin=2)
    assert len(dst) == len(src) > 20 and (dst[:, :2] == src[:, :2]).all()
    for s, d in zip(src, dst):
        x, y, w, h = s[2:6]
        corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]]) @ warps[int(s[0]) - 1].T
        np.testing.assert_allclose(d[2:4], corners.min(0), atol=0.01)
        np.testing.assert_allclose(d[2:4] + d[4:6], corners.max(0), atol=0.02)
    x1, y1, x2, y2 = dst[:, 2], dst[:, 3], dst[:, 2] + dst[:, 4], dst[:, 3] + dst[:, 5]
    inside = (x2.clip(0, 768) - x1.clip(0, 768)) * (y2.clip(0, 576) - y1.clip(0, 576)) / (dst[:, 4] * dst[:, 5])
    assert ((dst[:, 6] == 0) == (inside < 0.25)).all()  # boxes mostly out of view are ignored, the rest kept


def test_gmc_follows_a_fast_moving_camera_to_a_fraction_of_a_pixel(sequence, moving, tmp_path):
    """The sparseOptFlow frame-to-frame warp is within half a pixel of the true one while the camera moves ~17 px.

    Also with motion blur: the shutter open for half the frame interval. With the flow started ahead of each frame's
    `apply` (as `model.track` does), the warps are the same (the tool checks it).
    """
    r = run("make", "--seq", str(sequence), "--out", str(tmp_path), "--speed", "3", "--suffix", "BLUR", "--blur", "0.5")
    assert r.returncode == 0, r.stderr[-3000:]
    r = run(
        "gmc",
        "--seqs",
        str(moving),
        str(tmp_path / "PETS-a-BLUR"),
        "--methods",
        "none",
        "sparseOptFlow",
        "--out",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / "results.json").read_text())
    for name in ("PETS-a-FAST", "PETS-a-BLUR"):
        still, gmc = res["none"][name], res["sparseOptFlow"][name]
        assert still["mean px"] == pytest.approx(still["camera motion px"]) and still["camera motion px"] > 10
        assert gmc["mean px"] < 0.5 and gmc["max px"] < 2, (name, gmc)
        assert still["ahead mean ms"] is None and gmc["ahead mean ms"] > 0, gmc  # started ahead: the same warps
    assert "| sparseOptFlow | PETS-a-BLUR |" in (tmp_path / "results.md").read_text()


def test_a_moving_object_in_a_detection_box_does_not_move_the_camera_estimate():
    """A strongly textured object crossing a static, weakly textured background does not pull the camera warp.

    With its detection box the warp stays the identity; without it (the control) the corners sit on the object and the
    estimate follows the object.
    """
    from ultralytics.trackers.utils.gmc import GMC

    background = (textured(seed=1, sigma=3).astype(np.float32) * 0.3 + 90).astype(np.uint8)  # low contrast
    patch = textured(200, 260, seed=2, sigma=1)
    estimates = {}
    for with_box in (True, False):
        gmc, ts = GMC("sparseOptFlow"), []
        for i in range(8):
            frame, x = background.copy(), 60 + 12 * i  # the object moves 12 px right per frame
            frame[140:340, x : x + 260] = patch
            h = gmc.apply(frame, np.array([[x, 140, x + 260, 340, 0.9, 0]]) if with_box else None)
            ts.append(h @ [320, 240, 1] - [320, 240])  # how far the warp moves the image centre
        estimates[with_box] = np.array(ts[1:])
    assert np.abs(estimates[True]).max() < 0.5, estimates[True]
    assert (estimates[False][:, 0] > 6).all(), estimates[False]  # the control: corners on the object follow it


def test_a_1080p_pan_is_followed_with_corners_found_outside_the_detections():
    """A 1080p frame's new corners are looked for at a quarter of its working image's pixels (outside the detections).

    They map back onto the working image: none inside the detection box, and a pan of fine texture is followed to a
    fraction of a pixel at every frame.
    """
    from ultralytics.trackers.utils.gmc import GMC

    img, (x1, y1, x2, y2) = textured(1080, 1920, seed=7, sigma=1), (600, 200, 1100, 900)
    gmc, rng, x, y = GMC("sparseOptFlow"), np.random.default_rng(0), 0.0, 0.0
    gmc.apply(img, np.array([[x1, y1, x2, y2, 0.9, 0]]))
    corners = gmc.prevKeyPoints.reshape(-1, 2) * gmc.downscale
    inside = (corners[:, 0] >= x1) & (corners[:, 0] <= x2) & (corners[:, 1] >= y1) & (corners[:, 1] <= y2)
    assert len(corners) >= 50 and not inside.any(), (len(corners), corners[inside])
    for _ in range(10):
        dx, dy = rng.uniform(-8, 8), rng.uniform(-5, 5)
        x, y = x + dx, y + dy
        warp = gmc.apply(shifted(img, x, y), np.array([[x1, y1, x2, y2, 0.9, 0]]))
        np.testing.assert_allclose(warp[:, 2], [dx, dy], atol=0.25)


def test_a_new_frame_size_restarts_the_estimate(warnings):
    """A stream whose frame size changes (next video of a folder) gets the identity, then the new camera motion."""
    from ultralytics.trackers.utils.gmc import GMC

    gmc = GMC("sparseOptFlow")
    big, small = textured(480, 640, seed=3), textured(240, 320, seed=4)
    gmc.apply(big)
    np.testing.assert_allclose(gmc.apply(shifted(big, 4, 0))[:, 2], [4, 0], atol=0.3)
    np.testing.assert_array_equal(gmc.apply(small), np.eye(2, 3))
    np.testing.assert_allclose(gmc.apply(shifted(small, 0, -3))[:, 2], [0, -3], atol=0.3)
    assert not warnings, [r.getMessage() for r in warnings]


def test_featureless_frames_give_the_identity_and_the_estimate_recovers():
    """Blank frames have no corners: identity, no error; once texture is back the camera motion is followed again."""
    from ultralytics.trackers.utils.gmc import GMC

    gmc, blank, img = GMC("sparseOptFlow"), np.full((480, 640, 3), 128, np.uint8), textured(seed=5)
    for _ in range(3):
        np.testing.assert_array_equal(gmc.apply(blank), np.eye(2, 3))
    gmc.apply(img)
    np.testing.assert_allclose(gmc.apply(shifted(img, -5, 2))[:, 2], [-5, 2], atol=0.3)


def noisy(img: np.ndarray, rng: np.random.Generator, level: float = 3.0) -> np.ndarray:
    """The image with fresh sensor noise (about `level` grey levels), as every frame of a real camera has."""
    return np.clip(img + rng.normal(0, level, img.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("view", [False, True])
def test_a_still_camera_needs_no_estimate_until_it_moves(view):
    """Noisy frames of a still camera get the exact identity (no flow computed); the first moved frame gets its motion.

    A flow estimate on noisy frames is never exactly the identity, so exact identities show the estimate was skipped.
    The same for frames that are views into a wider image (not contiguous in memory), as a crop of a camera's frame is.
    """
    from ultralytics.trackers.utils.gmc import GMC

    def frame(img: np.ndarray) -> np.ndarray:
        if not view:
            return img
        wide = np.zeros((img.shape[0], img.shape[1] + 16, 3), np.uint8)
        wide[:, 8:-8] = img
        return wide[:, 8:-8]

    rng, img, gmc = np.random.default_rng(0), textured(seed=6), GMC("sparseOptFlow")
    warps = [gmc.apply(frame(noisy(img, rng))) for _ in range(12)]
    assert sum(np.array_equal(w, np.eye(2, 3)) for w in warps[2:]) == 10  # after the first estimate: all skipped
    np.testing.assert_allclose(gmc.apply(frame(noisy(shifted(img, 1.5, 0), rng)))[:, 2], [1.5, 0], atol=0.3)
    for i in range(2, 6):  # then a pan of 3 px per frame is followed frame by frame
        moved = frame(noisy(shifted(img, 1.5 + 3 * (i - 1), 0), rng))
        np.testing.assert_allclose(gmc.apply(moved)[:, 2], [3, 0], atol=0.3)


def test_a_slow_drift_is_compensated_in_full():
    """A camera drifting by 0.2 px per frame, too little for one frame to count as motion, is still followed.

    Frames are compared with the last estimated one, so the drift adds up until it is estimated from there: over 30
    frames the warps sum to the whole drift, and the motion not yet compensated never reaches a pixel.
    """
    from ultralytics.trackers.utils.gmc import GMC

    rng, img, gmc = np.random.default_rng(1), textured(seed=7), GMC("sparseOptFlow")
    gmc.apply(noisy(img, rng))
    compensated = 0.0
    for i in range(1, 31):
        compensated += gmc.apply(noisy(shifted(img, 0.2 * i, 0), rng))[0, 2]
        assert abs(0.2 * i - compensated) < 1.0, (i, compensated)
    assert abs(compensated - 6.0) < 0.6


def test_tracking_through_a_fast_camera_pan_keeps_people_with_gmc(moving, person_model, native_low_yaml, tmp_path):
    """`model.track` on the moving-camera clip: with GMC people stay tracked under fewer IDs than without it."""
    from ultralytics import YOLO
    from ultralytics.utils import YAML

    frames = [str(p) for p in sorted((moving / "img1").glob("*.jpg"))]
    runs = {}
    for gmc in ("sparseOptFlow", "none"):
        cfg = tmp_path / f"{gmc}.yaml"
        YAML.save(cfg, {**YAML.load(native_low_yaml), "gmc_method": gmc})
        model, rows = YOLO(person_model), []
        for frame in frames:
            r = model.track(frame, tracker=str(cfg), persist=True, verbose=False)[0]
            rows += r.boxes.id.int().tolist() if r.boxes.is_track else []
        runs[gmc] = rows
    with_gmc, without = runs["sparseOptFlow"], runs["none"]
    assert len(with_gmc) > len(without) and len(set(with_gmc)) < len(set(without)), runs


def test_bad_detection_boxes_mask_nothing_and_never_fail():
    """NaN, infinite, inverted, huge and whole-frame boxes: no exception and no numpy warning; a finite warp each frame.

    A box over the whole frame leaves no background to follow: identity until background is visible again.
    """
    import warnings as py_warnings

    from ultralytics.trackers.utils.gmc import GMC

    gmc, img = GMC("sparseOptFlow"), textured(seed=7)
    bad = [
        np.array([[np.nan, 0, 10, 10]]),
        np.array([[np.inf, -np.inf, 5, 5, 0.9, 0]]),
        np.array([[600, 400, 100, 100]]),  # inverted
        np.array([[-1e9, -1e9, 1e9, 1e9]]),  # covers everything
        [np.array([10, 10, 50, 50.0])],  # a list of boxes, as TrackTrack passes them
    ]
    with py_warnings.catch_warnings():
        py_warnings.simplefilter("error")
        gmc.apply(img)
        for i, boxes in enumerate(bad):
            h = gmc.apply(shifted(img, i + 1, 0), boxes)
            assert np.isfinite(h).all()
            if i == 3:
                np.testing.assert_array_equal(h, np.eye(2, 3))
        gmc.apply(shifted(img, 0, 0))
        np.testing.assert_allclose(gmc.apply(shifted(img, 3, 1))[:, 2], [3, 1], atol=0.3)


def recorded_threads(monkeypatch, name: str) -> list[str]:
    """The name of the thread every call of OpenCV's function `name` runs on (recorded, then called)."""
    import threading

    names, function = [], getattr(cv2, name)

    def recorded(*args, **kwargs):
        names.append(threading.current_thread().name)
        return function(*args, **kwargs)

    monkeypatch.setattr(cv2, name, recorded)
    return names


@pytest.fixture
def flow_threads(monkeypatch) -> list[str]:
    """The name of the thread every optical flow runs on."""
    return recorded_threads(monkeypatch, "calcOpticalFlowPyrLK")


@pytest.fixture
def search_threads(monkeypatch) -> list[str]:
    """The name of the thread every search for new corners runs on."""
    return recorded_threads(monkeypatch, "goodFeaturesToTrack")


def test_the_flow_started_ahead_gives_the_same_warps_off_the_callers_thread(flow_threads):
    """`prefetch` before each `apply` of a panning camera: bit-identical warps, the flows in a background thread.

    A flow started for another frame object is not used (`apply` computes its own), and a copy or a pickle of an
    estimator with a flow still pending (a fleet checkpoint), or one pickled before `prefetch` existed, estimates the
    next frame as the original does.
    """
    import copy
    import pickle
    import threading

    from ultralytics.trackers.utils.gmc import GMC

    rng, img = np.random.default_rng(1), textured(seed=8)
    frames = [noisy(shifted(img, 3 * i, -i), rng) for i in range(10)]
    plain, ahead = GMC("sparseOptFlow"), GMC("sparseOptFlow")
    for frame in frames:
        expected = plain.apply(frame)
        ahead.prefetch(frame)
        np.testing.assert_array_equal(ahead.apply(frame), expected)
    main = threading.current_thread().name
    # the plain estimator's 9 flows, and the second frame's, which the still-camera check computes: nothing moved yet
    assert flow_threads.count(main) == 10 and len(flow_threads) == 18, flow_threads
    assert all(name.startswith("gmc") for name in flow_threads if name != main)

    nxt = noisy(shifted(img, 30, -10), rng)
    expected = copy.deepcopy(plain).apply(nxt)
    ahead.prefetch(nxt)
    twin = copy.deepcopy(ahead)  # a flow still pending is not copied: the copy computes its own
    np.testing.assert_array_equal(twin.apply(nxt), expected)
    ahead.prefetch(nxt)
    np.testing.assert_array_equal(ahead.apply(nxt.copy()), expected)  # another frame object: computed again
    assert flow_threads.count(main) == 10 + 3, flow_threads  # the expected warp's, the copy's and the last one's

    last = noisy(shifted(img, 33, -11), rng)
    expected = copy.deepcopy(ahead).apply(last)
    ahead.prefetch(last)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ahead)).apply(last), expected)  # as a checkpoint restores
    old = GMC.__new__(GMC)  # a tracker state pickled before `prefetch` (and the corner search left pending) existed
    assert ahead.corner_search is None  # none pending here, as such a state never has one
    old.__setstate__(
        {k: v for k, v in ahead.__getstate__().items() if k not in {"_pending", "_ahead", "corner_search"}}
    )
    np.testing.assert_array_equal(old.apply(last), expected)


def test_a_search_for_new_corners_runs_with_the_next_flow_off_the_callers_thread(search_threads):
    """A frame that loses half of its corners returns its warp without searching for new ones.

    The search runs with the next frame's flow, so where that flow is started ahead (`prefetch`) it runs in the
    background too, and the warps are bit for bit those without `prefetch`. Here a large detection covers 60 % of the
    background every other frame of a panning camera (left, top, right, bottom in turn): the corners under it are
    dropped. A pickle taken with a search pending (a fleet checkpoint) runs it when restored.
    """
    import pickle
    import threading

    from ultralytics.trackers.utils.gmc import GMC

    rng, scene = np.random.default_rng(2), textured(540, 700, seed=9)
    covers = np.array([[0, 0, 384, 480], [0, 0, 640, 288], [256, 0, 640, 480], [0, 192, 640, 480]])  # 60 % each
    crops = [scene[50 - 2 * i : 530 - 2 * i, 55 - 4 * i : 695 - 4 * i] for i in range(13)]  # the scene moves (4, 2) px
    frames = [(noisy(crop, rng), covers[(i // 2) % 4, None] if i % 2 else None) for i, crop in enumerate(crops)]
    plain, ahead, restored = GMC("sparseOptFlow"), GMC("sparseOptFlow"), []
    for i, (frame, detections) in enumerate(frames):
        twin = None if plain.corner_search is None else pickle.loads(pickle.dumps(plain))  # a search pending
        expected = plain.apply(frame, detections)
        ahead.prefetch(frame)
        np.testing.assert_array_equal(ahead.apply(frame, detections), expected)
        if twin is not None:  # a checkpoint taken with the search pending runs it when restored
            restored.append(twin)
            np.testing.assert_array_equal(twin.apply(frame, detections), expected)
        if i:
            np.testing.assert_allclose(expected @ [320, 240, 1] - [320, 240], [4, 2], atol=0.5)  # the pan, followed
    main = threading.current_thread().name
    found = [name for name in search_threads if name != main]
    # on the caller's thread: both first frames, the plain estimator's later searches and the twins'; none started ahead
    assert search_threads.count(main) == 2 + len(found) + len(restored) and len(found) >= 4, search_threads
    assert len(restored) == len(found)
    assert all(name.startswith("gmc") for name in found)


def test_tracking_computes_the_camera_flow_while_the_detector_runs(
    moving, person_model, native_low_yaml, flow_threads, monkeypatch
):
    """`model.track` on the fast-panning clip computes the camera flow in the background, with the same tracks.

    Each frame's flow runs while the detector infers (from the third frame: the second's is the still-camera check's),
    and the tracks are those of the same run where every update computes its flow itself.
    """
    import threading

    from ultralytics import YOLO
    from ultralytics.trackers.utils.gmc import GMC

    frames = [str(p) for p in sorted((moving / "img1").glob("*.jpg"))]

    def track() -> list[list[float]]:
        model, rows = YOLO(person_model), []
        for frame in frames:
            r = model.track(frame, tracker=str(native_low_yaml), persist=True, verbose=False)[0]
            rows.append(np.c_[r.boxes.id, r.boxes.xyxy].tolist() if r.boxes.is_track else [])
        return rows

    ahead = track()
    main = threading.current_thread().name
    assert flow_threads.count(main) <= 1 and len(flow_threads) >= len(frames) - 1, flow_threads
    flow_threads.clear()
    monkeypatch.setattr(GMC, "prefetch", lambda self, frame: None)  # the control: no flow started ahead
    assert track() == ahead and sum(len(r) for r in ahead) > len(frames)
    assert flow_threads.count(main) == len(flow_threads) >= len(frames) - 2
