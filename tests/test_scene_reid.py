"""Scene-calibrated re-identification (`association: reid` in botsort_native_reid.yaml), on synthetic scenes.

Each scene is a crowd of people with their own appearance (one feature vector each, with per-frame noise) walking in
a 640 x 480 image; one person disappears behind nothing for a while and comes back. The tracker learns from the crowd
how alike the same person and different people look in this scene, and re-finds, vetoes and falls back to motion
accordingly. Real footage is measured by the benchmark (docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from ultralytics.engine.results import Boxes
from ultralytics.trackers.basetrack import TrackState
from ultralytics.trackers.bot_sort import BOTrack
from ultralytics.trackers.config import BoTSORTConfig, build_tracker, load
from ultralytics.trackers.utils.kalman_filter import KalmanFilterXYWH
from ultralytics.trackers.utils.scene_reid import SceneReID, SceneStats, place_ratio, size_ratio
from ultralytics.trackers.utils.stracks import remove_duplicate_stracks

W, H = 640, 480
SIZE = (50, 120)  # person box width, height
CROWD = [(100 + 150 * k, 330) for k in range(4)]  # four people standing on a second row, 1.25 box heights apart


def config(**overrides) -> BoTSORTConfig:
    """botsort_native_reid.yaml with overrides."""
    return load("botsort_native_reid.yaml", overrides)


def unit(v: np.ndarray) -> np.ndarray:
    """L2-normalize."""
    return (v / np.linalg.norm(v)).astype(np.float32)


def run_scene(
    cfg: BoTSORTConfig, people: dict, frames: int, fps: float = 30, scale: float = 1.0, seed: int = 0
) -> dict:
    """Track a synthetic scene; return the track IDs each person got, frame by frame.

    Args:
        cfg (BoTSORTConfig): Tracker config; its frame rate is set to ``fps``.
        people (dict): Name -> (appearance feature, where(t) -> centre (x, y) at time t in seconds, or None if hidden).
        frames (int): Number of frames.
        fps (float): Frame rate.
        scale (float): Scales the image, the boxes and the positions (the same scene at another resolution).
        seed (int): Seed of the per-frame appearance noise.

    Returns:
        (dict): Name -> list of (frame, track ID) for the frames where the tracker output that person.
    """
    rng = np.random.default_rng(seed)
    cfg.frame_rate = fps
    tracker = build_tracker(cfg)
    ids = {name: [] for name in people}
    for f in range(frames):
        rows, feats, who = [], [], []
        for name, (feat, where) in people.items():
            if (xy := where(f / fps)) is not None:
                x, y = xy[0] * scale, xy[1] * scale
                w, h = SIZE[0] * scale, SIZE[1] * scale
                rows.append([x - w / 2, y - h / 2, x + w / 2, y + h / 2, 0.9, 0])
                feats.append(unit(feat + 0.05 * rng.normal(size=feat.shape)))
                who.append(name)
        boxes = Boxes(np.asarray(rows, dtype=np.float32).reshape(-1, 6), (int(H * scale), int(W * scale)))
        out = tracker.update(boxes, None, feats=np.asarray(feats, dtype=np.float32).reshape(len(rows), -1))
        for row in out:
            ids[who[int(row[-1])]].append((f, int(row[4])))
    return ids


def crowd(rng: np.random.Generator, base: np.ndarray | None = None) -> dict:
    """Four people standing in a row, each with their own appearance (or all with ``base``'s)."""
    return {
        f"crowd{k}": (base if base is not None else unit(rng.normal(size=64)), lambda t, xy=xy: xy)
        for k, xy in enumerate(CROWD)
    }


def hidden(start: float, end: float, before: tuple, after: tuple):
    """Where a person is: at ``before`` until ``start`` seconds, hidden until ``end``, then at ``after``."""
    return lambda t: before if t < start else (None if t < end else after)


def ids_of(run: dict, name: str, after: int = 0) -> set[int]:
    """The track IDs a person got from frame ``after`` on."""
    return {i for f, i in run[name] if f >= after}


@pytest.mark.parametrize("shift", [0.15, 0.2, 0.25])
def test_person_hidden_two_seconds_keeps_their_id(shift):
    """Hidden for 2 s, a person reappearing up to 0.25 image widths (1.3 box heights) away is re-found."""
    rng = np.random.default_rng(0)
    people = {**crowd(rng), "p": (unit(rng.normal(size=64)), hidden(1, 3, (120, 180), (120 + shift * W, 180)))}
    run = run_scene(config(), people, 120)
    assert ids_of(run, "p", 90) == ids_of(run, "p") == {run["p"][0][1]}
    off = run_scene(config(reid="off"), people, 120)  # motion alone cannot bridge the gap
    assert len(ids_of(off, "p")) == 2


def test_re_find_is_the_same_at_any_frame_rate_and_resolution():
    """Gate radius in box heights, lifetime and radius growth in seconds: 10 and 30 fps, 1x and 2x size agree."""
    rng = np.random.default_rng(1)
    people = {**crowd(rng), "p": (unit(rng.normal(size=64)), hidden(1, 3, (120, 180), (250, 180)))}
    for fps, scale in ((30, 1.0), (10, 1.0), (30, 2.0)):
        run = run_scene(config(), people, int(4 * fps), fps=fps, scale=scale)
        assert len(ids_of(run, "p")) == 1, (fps, scale)
    cfg = config()
    far = min(cfg.refind_radius + 2 * cfg.refind_speed, cfg.refind_max) + 0.3  # box heights: past the region after 2 s
    people["p"] = (people["p"][0], hidden(1, 3, (120, 180), (120 + far * SIZE[1], 180)))
    for fps, scale in ((30, 1.0), (10, 1.0), (30, 2.0)):
        run = run_scene(config(), people, int(4 * fps), fps=fps, scale=scale)
        assert len(ids_of(run, "p")) == 2, (fps, scale)


@pytest.mark.parametrize("fps", [10, 30])
def test_lost_tracks_live_track_buffer_s_seconds_and_longer_inside_the_frame(fps):
    """Lost at the frame's edge, a track lives track_buffer_s (5 s); inside it, track_buffer_s_inside (7.5 s).

    A person last seen at the left edge and back there after 4 s keeps their ID, after 6 s gets a new one; a person last
    seen inside the frame keeps their ID after 6 s (hidden, not gone) and gets a new one after 9 s; at 10 and 30 fps.
    """
    rng = np.random.default_rng(2)
    feat = unit(rng.normal(size=64))
    for x, gap, n_ids in ((30, 4, 1), (30, 6, 2), (120, 4, 1), (120, 6, 1), (120, 9, 2)):
        people = {**crowd(rng), "p": (feat, hidden(1, 1 + gap, (x, 180), (x + 40, 180)))}
        run = run_scene(config(), people, int((gap + 2) * fps), fps=fps)
        assert len(ids_of(run, "p")) == n_ids, (x, gap)


def test_bytetrack_keeps_a_track_lost_inside_the_frame_track_buffer_s_inside():
    """ByteTrack (motion alone): back on the spot after 6 s, a person keeps their ID inside the frame, not at its edge.

    With `track_buffer_s: 5` and `track_buffer_s_inside: 7.5`; without the inside lifetime (0) they get a new ID.
    """
    rng = np.random.default_rng(3)
    for x, inside, n_ids in ((120, 7.5, 1), (30, 7.5, 2), (120, 0, 2)):
        people = {"p": (unit(rng.normal(size=64)), hidden(1, 7, (x, 180), (x, 180))), **crowd(rng)}
        cfg = load("bytetrack.yaml", {"track_buffer_s": 5, "track_buffer_s_inside": inside})
        run = run_scene(cfg, people, 9 * 30)
        assert len(ids_of(run, "p")) == n_ids, (x, inside)


def test_no_re_find_where_appearance_does_not_tell_people_apart():
    """When everybody in the scene looks the same, a returning person gets a new ID: motion decides, not appearance.

    Hidden 1.5 s and back 1.2 box heights away, as tall as before: the place (two thirds of the way to the re-find
    region's border) takes away about what the height adds, so appearance would have to decide, and cannot. (A box
    that fits well adds evidence of its own: see the look-alikes below.)
    """
    rng = np.random.default_rng(3)
    same = unit(rng.normal(size=64))
    people = {**crowd(rng, base=same), "p": (same, hidden(1, 2.5, (120, 180), (264, 180)))}
    run = run_scene(config(), people, 120)
    assert len(ids_of(run, "p")) == 2
    crowd_ids = [ids_of(run, f"crowd{k}") for k in range(4)]
    assert all(len(i) == 1 for i in crowd_ids)  # and nobody's identity moved


def test_no_re_find_when_two_lost_look_alikes_could_be_the_one():
    """Two people who look the same vanish side by side; the one who comes back between them gets neither ID."""
    rng = np.random.default_rng(4)
    a = unit(rng.normal(size=64))
    people = {
        **crowd(rng),
        "a": (a, hidden(1, 3, (100, 180), None)),
        "b": (a, lambda t: (210, 180) if t < 1 else None),
        "back": (a, lambda t: (155, 180) if t >= 3 else None),
    }
    run = run_scene(config(), people, 120)
    assert not ids_of(run, "back") & (ids_of(run, "a") | ids_of(run, "b"))
    people.pop("b")  # alone, the same person is re-found
    run = run_scene(config(), people, 120)
    assert ids_of(run, "back") == ids_of(run, "a")


def test_lookalike_far_away_never_takes_the_lost_identity():
    """A look-alike appearing 0.6 image widths away while a person is hidden starts its own track."""
    for seed in range(5):
        rng = np.random.default_rng(seed)
        p = unit(rng.normal(size=64))
        twin = unit(p + 0.3 * unit(rng.normal(size=64)))
        people = {
            **crowd(rng),
            "p": (p, hidden(1, 3, (120, 180), (220, 180))),
            "twin": (twin, lambda t: (120 + 0.6 * W, 180) if t >= 1.6 else None),
        }
        run = run_scene(config(), people, 120, seed=seed)
        assert ids_of(run, "twin") and not ids_of(run, "twin") & ids_of(run, "p")


def test_different_looking_person_in_a_lost_tracks_spot_gets_a_new_id():
    """A lost track does not take, by overlap alone, a clearly different-looking person who steps into its spot.

    The same config with `reid: off` (motion only) hands that person the lost track's ID.
    """
    rng = np.random.default_rng(5)
    a, b = unit(rng.normal(size=64)), unit(rng.normal(size=64))  # unrelated appearance, cosine ~0
    people = {
        **crowd(rng),
        "a": (a, lambda t: (200, 180) if t < 1 else None),
        "b": (b, lambda t: (204, 180) if t >= 1.2 else None),
    }
    native = run_scene(config(), people, 75)
    assert ids_of(native, "a") and ids_of(native, "b") and not ids_of(native, "a") & ids_of(native, "b")
    off = run_scene(config(reid="off"), people, 75)
    assert ids_of(off, "a") & ids_of(off, "b"), "motion alone re-assigns the lost ID (the scenario is valid)"


def test_person_who_walks_behind_a_look_alike_keeps_their_id():
    """A person walks behind a standing look-alike, hidden while their boxes overlap, and comes out on their own ID.

    Meanwhile the standing person's box covers the walker's lost track, which is not dropped as its duplicate: both
    were tracks at the same time. With `reid: off` (upstream's de-duplication) it is, and the walker comes out new.
    """
    rng = np.random.default_rng(11)
    front = unit(rng.normal(size=64))

    def walker(t: float):  # walks right at half a box height per second, hidden within a box width of the other
        x = 170 + 60 * t
        return None if abs(x - 320) < SIZE[0] else (x, 180)

    people = {
        **crowd(rng),
        "front": (front, lambda t: (320, 180)),
        "walker": (unit(front + 0.1 * unit(rng.normal(size=64))), walker),  # as alike as one person's frames
    }
    run = run_scene(config(), people, 150)
    assert ids_of(run, "walker", 120) and len(ids_of(run, "walker")) == 1
    assert len(ids_of(run, "front")) == 1 and not ids_of(run, "walker") & ids_of(run, "front")
    off = run_scene(config(reid="off"), people, 150)
    assert len(ids_of(off, "walker")) == 2


@pytest.mark.parametrize(
    "tracked, lost, dropped",
    [
        ((0, 100), (50, 90), None),  # both tracks at frames 50-90, the lost one the younger: another person, kept
        ((50, 100), (10, 40), "lost"),  # the lost one younger, but never a track beside the other: as upstream's
        ((95, 100), (0, 90), "tracked"),  # started after the lost one's last frame: a duplicate of it, as upstream's
        ((50, 100), (0, 90), "tracked"),  # both tracks at once, but the tracked one is the younger: it yields
    ],
)
def test_a_lost_track_is_not_the_duplicate_of_a_longer_lived_track_it_was_seen_beside(tracked, lost, dropped):
    """Which of a tracked and a lost track on the same box, and alike, the pool de-duplication drops."""
    f = unit(np.random.default_rng(12).normal(size=64))
    pair = {}
    for name, (start, last), state in (("tracked", tracked, TrackState.Tracked), ("lost", lost, TrackState.Lost)):
        track = BOTrack(np.array([300, 240, 50, 120, 0.0]), 0.9, 0, f)
        track.start_frame, track.frame_id, track.state = start, last, state
        pair[name] = track
    kept = remove_duplicate_stracks([pair["tracked"]], [pair["lost"]], same=SceneReID(config(), 30).same)
    assert kept == tuple([] if name == dropped else [pair[name]] for name in ("tracked", "lost"))


def test_appearance_does_not_override_a_confident_motion_match():
    """A look-alike walking through the spot where a person vanished keeps its own, motion-tracked ID."""
    rng = np.random.default_rng(6)
    a = unit(rng.normal(size=64))
    twin = unit(a + 0.1 * unit(rng.normal(size=64)))  # as alike as one person's frames
    people = {
        **crowd(rng),
        "a": (a, lambda t: (300, 180) if t < 1 else None),
        "twin": (twin, lambda t: (60 + 120 * t, 180)),
    }
    run = run_scene(config(), people, 90)
    assert len(ids_of(run, "twin")) == 1 and not ids_of(run, "twin") & ids_of(run, "a")


def test_scene_stats_turn_similarities_into_likelihood_ratios():
    """The ratio is large where only the same person is seen, small where only different people are, 1 where both."""
    stats = SceneStats()
    assert not stats.ready
    rng = np.random.default_rng(7)
    stats.add(np.clip(rng.normal(0.95, 0.01, 200), 0, 1), np.clip(rng.normal(0.7, 0.05, 200), 0, 1))
    assert stats.ready
    high, mid, low = stats.ratio(np.array([0.95, 0.85, 0.7]))
    assert high > 50 and low < 0.02 and low < mid < high
    same = SceneStats()
    s = np.clip(rng.normal(0.9, 0.02, 400), 0, 1)
    same.add(s[:200], s[200:])
    assert np.all(np.abs(np.log(same.ratio(np.array([0.88, 0.9, 0.92])))) < 0.7)


@pytest.mark.parametrize("fps", [10, 30])
def test_seed_scenario_person_behind_a_pillar_keeps_their_id(fps):
    """The seed's scene: walk, stand, hidden 2 s, back 1.7 box heights on; one other person and a look-alike far away.

    Nobody stands near the walker, so the scene never shows two different people side by side: appearance decides from
    the descriptor's prior alone. The walker gets their ID back, and the look-alike that appeared meanwhile does not
    take it. With `reid: off`, motion alone cannot bridge the gap.
    """
    rng = np.random.default_rng(8)
    h = SIZE[1]
    p = unit(rng.normal(size=64))

    def walker(t: float):
        if t < 1:  # walks right at 0.8 box heights per second
            return (80 + 0.8 * h * t, 180)
        if t < 2:  # stands still
            return (80 + 0.8 * h, 180)
        return None if t < 4 else (80 + 0.8 * h + 1.7 * h, 180)  # hidden 2 s, back 1.7 box heights further on

    people = {
        "p": (p, walker),
        "other": (unit(rng.normal(size=64)), lambda t: (580, 400)),
        "lookalike": (unit(p + 0.1 * unit(rng.normal(size=64))), lambda t: (580, 80) if t >= 3 else None),
    }
    run = run_scene(config(), people, 5 * fps, fps=fps)
    assert len(ids_of(run, "p")) == 1 and ids_of(run, "p", 4 * fps)  # back, on the ID it had
    assert ids_of(run, "lookalike") and not ids_of(run, "lookalike") & ids_of(run, "p")
    off = run_scene(config(reid="off"), people, 5 * fps, fps=fps)
    assert len(ids_of(off, "p")) == 2


def test_person_who_leaves_the_frame_and_comes_back_at_its_edge_keeps_their_id():
    """Re-entry: a person walks out at the right edge and walks back in there 2 s later, within the lifetime."""
    rng = np.random.default_rng(9)
    speed = 0.8 * SIZE[1]  # pixels per second

    def walker(t: float):
        if t < 2:  # walks right, out of the frame at t = 2 (centre 590 px, the box's right edge at 615)
            return (590 - speed * (2 - t), 180)
        return None if t < 4 else (590 - speed * (t - 4), 180)  # back in at t = 4, walking left

    people = {"p": (unit(rng.normal(size=64)), walker), "other": (unit(rng.normal(size=64)), lambda t: (80, 400))}
    run = run_scene(config(), people, 150)
    assert ids_of(run, "p", 125) and len(ids_of(run, "p")) == 1
    off = run_scene(config(reid="off"), people, 150)
    assert len(ids_of(off, "p")) == 2


def test_track_keeps_its_appearance_while_another_box_covers_its_detection():
    """A track does not learn the look of a detection that another box covers, and learns again once apart.

    While B's box covers 40 % of A's, A's detection mixes both looks, so A's appearance stays what it was.
    """
    rng = np.random.default_rng(10)
    fa, fb = unit(rng.normal(size=64)), unit(rng.normal(size=64))
    cfg = config()
    cfg.frame_rate = 30
    tracker = build_tracker(cfg)

    def frame(b_x: float, fa_seen: np.ndarray, fb_seen: np.ndarray) -> None:
        rows = [[175, 140, 225, 260, 0.9, 0], [b_x - 25, 140, b_x + 25, 260, 0.9, 0]]
        boxes = Boxes(np.asarray(rows, dtype=np.float32), (H, W))
        tracker.update(boxes, None, feats=np.stack([fa_seen, fb_seen]))

    for _ in range(30):
        frame(400, fa, fb)
    a = next(t for t in tracker.tracked_stracks if t.observed_xywh[0] < 300)
    before = a.smooth_feat.copy()
    mixed = unit(fa + fb)
    for _ in range(10):
        frame(230, mixed, mixed)  # 20 px of A's 50 px width overlap: 40 % covered
    assert a.state == TrackState.Tracked and np.array_equal(a.smooth_feat, before)  # appearance kept
    frame(400, unit(fa + 0.3 * fb), fb)  # apart again: learns
    assert not np.array_equal(a.smooth_feat, before)


@pytest.mark.parametrize("low_tie_weight, takes", [(0.3, "b"), (0.0, "a")])
def test_low_score_box_goes_to_the_overlapping_track_that_looks_like_it(low_tie_weight, takes):
    """Of two overlapping tracks, the one that looks like a partly hidden person's low-score box takes it.

    A stands still; B walks up and stands beside A, their boxes overlapping. Then neither is detected with confidence:
    one box scoring 0.2 (ByteTrack's second association), where IoU alone prefers A's track, with B's look. With the
    shipped ``low_tie_weight`` B's track takes it and A's is not moved onto B; by IoU alone (0) A's track takes it.
    """
    rng = np.random.default_rng(11)
    fa, fb = unit(rng.normal(size=64)), unit(rng.normal(size=64))
    cfg = config(low_tie_weight=low_tie_weight)
    cfg.frame_rate = 30
    tracker = build_tracker(cfg)

    def frame(rows: list, feats: list) -> np.ndarray:
        boxes = Boxes(np.asarray(rows, dtype=np.float32).reshape(-1, 6), (H, W))
        return tracker.update(boxes, None, feats=np.asarray(feats, dtype=np.float32).reshape(len(rows), -1))

    def box(x: float, score: float = 0.9) -> list:
        return [x - 25, 140, x + 25, 260, score, 0]

    ids = {}
    for f in range(60):  # A at x 200; B from 320 to 215 in frames 30-40, then still (boxes overlap 35 of 50 px)
        bx = 320 if f < 30 else max(215, 320 - 10.5 * (f - 29))
        out = frame([box(200), box(bx)], [fa, fb])
        ids = {"a": int(out[out[:, -1] == 0][0, 4]), "b": int(out[out[:, -1] == 1][0, 4])}
    out = frame([box(206, score=0.2)], [fb])  # IoU 0.79 with A's box, 0.73 with B's; B's look
    assert len(out) == 1 and int(out[0, 4]) == ids[takes]


def refound(cfg: BoTSORTConfig, seconds_lost: float, x: float, ratio: float, beside: float | None = None) -> bool:
    """Whether a track lost ``seconds_lost`` at ``x`` is re-found by a detection 20 px on, likelihood ratio ``ratio``.

    The detection is as tall as the track was; its appearance is chosen so that appearance times the box gives
    ``ratio``, the posterior ``ratio / (1 + ratio)`` against "someone new". With ``beside``, a person in view (a
    track matched this frame) who looks exactly like the detection stands ``beside`` px from it and competes for it.
    The real `SceneReID` of ``cfg`` decides.
    """
    cfg.frame_rate = 10
    reid = build_tracker(cfg).scene_reid
    radius = min(cfg.refind_radius + cfg.refind_speed * seconds_lost, cfg.refind_max)
    box = size_ratio(np.array([120.0]), np.array([120.0]), np.array([seconds_lost]))[0, 0] * place_ratio(
        np.array(20 / 120 / radius)
    )  # what the same height, 20 px from where the track was last seen, adds
    grid = np.linspace(0.5, 1.0, 2001)  # similarity (1 + cosine) / 2
    s = grid[np.abs(reid.stats.ratio(grid) * box - ratio).argmin()]
    assert abs(reid.stats.ratio(np.array([s]))[0] * box / ratio - 1) < 0.13  # the likelihood ratio wanted, within 13 %
    rng = np.random.default_rng(12)
    f, g = rng.normal(size=(2, 64))
    f, g = unit(f), unit(g - (g @ unit(f)) * unit(f))
    cos = 2 * s - 1
    track = BOTrack(np.array([x, 240, 50, 120, 0.0]), 0.9, 0, f)
    track.activate(KalmanFilterXYWH(), frame_id=1)
    track.mark_lost()
    det = BOTrack(np.array([x + 20, 240, 50, 120, 0.0]), 0.9, 0, unit(cos * f + np.sqrt(1 - cos**2) * g))
    reid.begin_frame(np.array([[x + 20, 240, 50, 120]], dtype=np.float32), (H, W))
    visible = []
    if beside is not None:
        other = BOTrack(np.array([x + 20 + beside, 240, 50, 120, 0.0]), 0.9, 0, det.curr_feat)
        other.activate(KalmanFilterXYWH(), frame_id=1)
        visible.append(other)
    return reid.refind([track], [det], visible, frame_id=1 + round(seconds_lost * 10)) == [(0, 0)]


@pytest.mark.parametrize("beside, found", [(None, True), (400.0, True), (30.0, False)])
def test_a_person_in_view_who_looks_like_the_detection_keeps_a_lost_track_from_taking_it(beside, found):
    """A re-find at posterior 0.9 is taken, unless someone in view beside the detection could as well be that person.

    The people matched this frame are candidates too: one who looks exactly like the detection, 30 px from it, lowers
    the lost track's posterior far below ``reid_confidence`` (0.8); the same person 400 px away, outside the region
    where they could be now, does not.
    """
    assert refound(config(), 1.0, 300, ratio=9.0, beside=beside) is found


@pytest.mark.parametrize(
    "seconds_lost, x, late, found",
    [(2.5, 300, 0.65, True), (1.0, 300, 0.65, False), (2.5, 20, 0.65, False), (2.5, 300, 0.8, False)],
)
def test_a_track_lost_longer_is_re_found_on_less_evidence_away_from_the_edge(seconds_lost, x, late, found):
    """A re-find at posterior 0.75: taken from a track lost 2 s or more (``reid_confidence_late``: 0.65), not sooner.

    Someone back a moment after being lost is mostly taken back by overlap, so a candidate left near a track lost for
    1 s needs ``reid_confidence`` (0.8); after 2.5 s, 0.65. At the frame's edge, where new people walk in, the bar
    does not fall; and with ``reid_confidence_late: 0.8`` nothing changes with the time lost.
    """
    assert refound(config(reid_confidence_late=late), seconds_lost, x, ratio=3.0) is found


@pytest.mark.parametrize(
    "seconds_lost, x, edge, found",
    [(2.5, 20, 0.95, True), (3.5, 20, 0.95, False), (3.5, 20, 0.0, True), (3.5, 300, 0.95, True)],
)
def test_at_the_frame_edge_a_track_lost_longer_needs_more_evidence(seconds_lost, x, edge, found):
    """A re-find at posterior 0.9 at the frame's edge: taken 2.5 s after the track was lost there, not after 3.5 s.

    Who walks in at the edge seconds after someone walked out there is more often someone new, so from 3 s lost a
    re-find at the edge needs ``reid_confidence_edge`` (0.95 shipped); with 0 it needs ``reid_confidence`` (0.8) as
    before, and away from the edge ``reid_confidence_late`` (0.65). (The same person walking back in, who looks like
    themselves, is still re-found: see the lifetime test above.)
    """
    assert refound(config(reid_confidence_edge=edge), seconds_lost, x, ratio=9.0) is found


def test_of_two_lost_look_alikes_the_one_the_box_fits_is_re_found():
    """Two people who look the same, lost side by side: the box decides which one a detection is.

    Appearance alone cannot choose (about half the posterior each, as in the test of two look-alikes above); the same
    person comes back about as tall as they left and near where motion puts them, and someone half as tall is another.
    """
    cfg = config()
    cfg.frame_rate = 10
    reid = build_tracker(cfg).scene_reid
    f = unit(np.random.default_rng(13).normal(size=64))
    tracks = []
    for x, h in ((300, 120), (340, 60)):
        track = BOTrack(np.array([x, 240, h / 2.4, h, 0.0]), 0.9, 0, f)
        track.activate(KalmanFilterXYWH(), frame_id=1)
        track.mark_lost()
        tracks.append(track)
    for h, who in ((120, 0), (60, 1)):
        det = BOTrack(np.array([320, 240, h / 2.4, h, 0.0]), 0.9, 0, f)
        reid.begin_frame(np.array([[320, 240, h / 2.4, h]], dtype=np.float32), (H, W))
        assert reid.refind(tracks, [det], [], frame_id=21) == [(who, 0)], h
