"""The tracking benchmark (python -m ultralytics.trackers.eval) on a small composed scene with exact ground truth."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ultralytics.trackers import eval as bench

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    """A 60-frame scene: three real people from real photos walking behind two pillars, exact ground truth."""
    import scenes

    out = tmp_path_factory.mktemp("scenes")
    crops = scenes.cut_people()
    return scenes.compose(out, "SYN-unit", "building.jpg", crops, n_people=3, seed=3, frames=60)


@pytest.fixture(scope="module")
def cached(scene, tmp_path_factory):
    """The scene and its detection cache (boxes and every native descriptor)."""
    import assets

    model = str(assets.person_detector())
    cache_dir = tmp_path_factory.mktemp("cache")
    seq = bench.Sequence(scene)
    path = bench.build_cache(seq, model, 640, 0.1, cache_dir)
    return model, seq, bench.Cache(path), cache_dir


def test_scene_has_exact_ground_truth(scene):
    """The composed scene is a MOTChallenge sequence whose gt boxes lie inside the image."""
    seq = bench.Sequence(scene)
    assert seq.length == 60 and len(list(seq.img_dir.glob("*.jpg"))) == 60
    gt = np.loadtxt(seq.gt, delimiter=",")
    assert set(np.unique(gt[:, 1]).astype(int)) <= {1, 2, 3}
    assert (gt[:, 2] >= 0).all() and (gt[:, 2] + gt[:, 4] <= 768).all() and (gt[:, 3] + gt[:, 5] <= 576).all()
    assert ((gt[:, 8] >= 0) & (gt[:, 8] <= 1)).all() and (gt[:, 6] == (gt[:, 8] >= 0.25)).all()


def test_cache_holds_detections_and_every_descriptor(cached):
    """One cache entry per frame, with one descriptor row per detection for each descriptor kind."""
    _, seq, cache, _ = cached
    assert len(cache.boxes) == seq.length and sum(len(b) for b in cache.boxes) > seq.length
    for kind in ("anchor", "roi", "color"):
        assert [len(f) for f in cache.feats[kind]] == [len(b) for b in cache.boxes]
        assert np.isfinite(np.concatenate(cache.feats[kind])).all()


def test_cache_keeps_frames_without_detections(cached, tmp_path):
    """Frames where nothing is detected (an empty street) are cached as empty frames, in order, not an error."""
    import cv2

    model, seq, _, _ = cached
    (tmp_path / "img1").mkdir()
    frames = [f for _, f in zip(range(3), seq.frames())]
    for i, frame in enumerate([frames[0], np.zeros_like(frames[0]), np.zeros_like(frames[0]), frames[2]]):
        cv2.imwrite(str(tmp_path / "img1" / f"{i + 1:06d}.jpg"), frame)
    (tmp_path / "seqinfo.ini").write_text("[Sequence]\nname=gaps\nimDir=img1\nframeRate=10\nseqLength=4\n")
    cache = bench.Cache(bench.build_cache(bench.Sequence(tmp_path), model, 640, 0.1, tmp_path / "cache"))
    assert [len(b) > 0 for b in cache.boxes] == [True, False, False, True]
    for kind in ("anchor", "roi", "color"):
        assert [len(f) for f in cache.feats[kind]] == [len(b) for b in cache.boxes]


def test_descriptor_auc_is_reported_for_each_candidate(cached):
    """Separability is measured per descriptor on detections matched to the ground truth."""
    _, seq, cache, _ = cached
    res = bench.descriptor_auc(seq, cache, pairs=20000)
    assert res["detections"] > 60 and res["same"] > 0
    for kind in ("anchor", "roi", "color"):
        assert 0.0 <= res[kind] <= 1.0
    assert res["color"] > 0.8  # distinct real people in colour are separable in colour


def test_oracle_appearance_tells_people_apart_as_far_as_asked(cached, tmp_path, capsys):
    """`--oracle-appearance` mixes every descriptor with the ground-truth identity: none at 0, perfect at 1.

    The boxes stay as they are, each feature row stays with its detection, and the reports say that what they show is
    a ceiling, not a result.
    """
    model, seq, cache, cache_dir = cached
    plain = bench.oracle_appearance(seq, cache, 0.0)
    assert plain.boxes is cache.boxes and set(plain.feats) == set(cache.feats)
    for kind in cache.feats:
        for real, mixed in zip(cache.feats[kind], plain.feats[kind]):
            unit = real / np.maximum(np.linalg.norm(real, axis=1, keepdims=True), 1e-12)
            np.testing.assert_allclose(mixed, unit, atol=1e-6)
    auc = {b: bench.descriptor_auc(seq, bench.oracle_appearance(seq, cache, b), pairs=20000) for b in (0.0, 0.3, 1.0)}
    own = bench.descriptor_auc(seq, cache, pairs=20000)
    for kind in ("anchor", "roi", "color"):
        assert auc[0.0][kind] == pytest.approx(own[kind], abs=1e-6)
        assert auc[0.0][kind] <= auc[0.3][kind] <= auc[1.0][kind] == 1.0
    assert auc[0.3]["anchor"] > auc[0.0]["anchor"] + 0.05  # the identity adds separation a weak descriptor lacks
    empty = cache.derived(
        [cache.boxes[0][:0], *cache.boxes[1:]], {k: [v[0][:0], *v[1:]] for k, v in cache.feats.items()}
    )
    assert all(len(v[0]) == 0 for v in bench.oracle_appearance(seq, empty, 1.0).feats.values())  # a frame of nobody

    common = ["--model", model, "--seqs", str(seq.path), "--cache", str(cache_dir), "--oracle-appearance", "1"]
    assert bench.main(["auc", *common]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("**Oracle appearance, beta 1**") and "| color | 1.000 |" in shown
    assert bench.main(["run", *common, "--out", str(tmp_path), "--trackers", "botsort_native_reid.yaml"]) == 0
    assert (tmp_path / "results.md").read_text().startswith("**Oracle appearance, beta 1**: every descriptor mixed")


def test_replay_evaluates_with_trackeval_and_writes_mot(cached, tmp_path):
    """Replaying configs gives TrackEval metrics per tracker and MOTChallenge track files."""
    _, seq, cache, _ = cached
    specs = ["bytetrack.yaml", "botsort.yaml", "botsort_native_reid.yaml"]
    table, ms = bench.run_trackers([seq], {seq.name: cache}, specs, tmp_path)
    assert set(table) == {"bytetrack", "botsort", "botsort_native_reid"}
    for m in table.values():
        assert 0 < m["HOTA"] <= 1 and 0 < m["IDF1"] <= 1 and m["MOTA"] <= 1 and m["IDSW"] >= 0
    rows = (tmp_path / "botsort_native_reid" / f"{seq.name}.txt").read_text().splitlines()
    assert rows and all(len(r.split(",")) == 10 for r in rows)
    assert "| botsort_native_reid |" in bench.markdown(table, ms)


def test_run_reports_reid_against_the_same_config_without_it(cached, tmp_path):
    """`run` adds each ReID config's `reid: off` twin and reports, per sequence, the headroom and re-identifications."""
    model, seq, _, cache_dir = cached
    r = subprocess.run(
        [sys.executable, "-m", "ultralytics.trackers.eval", "run", "--model", model, "--seqs", str(seq.path)]
        + ["--cache", str(cache_dir), "--out", str(tmp_path)]
        + ["--trackers", "botsort_native_reid.yaml", "bytetrack.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    text = (tmp_path / "results.md").read_text()
    for section in ("## Combined", "## IDF1 per sequence", "## Association headroom", "## Re-identification"):
        assert section in text
    section = text.split("## Association headroom")[1].split("## Re-identification")[0].splitlines()
    headroom = [row for row in section if row.startswith("| botsort_native_reid | ")]
    assert any(row.startswith("| botsort_native_reid[reid=off] |") for row in section)  # the twin was run
    assert len(headroom) == 2 and all(row.rstrip(" |").endswith("%") for row in headroom)  # room closed: seq, all
    assert not any(row.startswith("| bytetrack[reid=off]") for row in text.splitlines())  # no ReID, no twin
    assert (tmp_path / "identities.png").stat().st_size > 10_000 and (tmp_path / "results.png").exists()
    timing = text.split("## Tracker time per frame")[1].splitlines()
    assert "| tracker | total | gmc | descriptor | kalman | association | reid | rest |" in timing
    times = {row.split("|")[1].strip(): [float(x) for x in row.split("|")[2:-1]] for row in timing if row[:3] == "| b"}
    assert set(times) == {"botsort_native_reid", "botsort_native_reid[reid=off]", "bytetrack"}
    for name, (total, gmc, _, kalman, association, reid, _) in times.items():
        assert total == pytest.approx(sum(times[name][1:]), abs=0.05) and kalman > 0 and association > 0
        assert (gmc > 0) == name.startswith("botsort") and (reid > 0.01) == (name == "botsort_native_reid")


def test_run_and_tune_report_each_occluder_band(cached, tmp_path):
    """`--occluder` adds the sequence behind each band; run pools them per band, tune ranks over all of them."""
    model, seq, cache, cache_dir = cached
    common = ["--model", model, "--seqs", str(seq.path), "--cache", str(cache_dir), "--occluder", "0.2,0.4", "0.6,0.8"]
    assert bench.main(["run", *common, "--out", str(tmp_path / "run"), "--trackers", "botsort_native_reid.yaml"]) == 0
    text = (tmp_path / "run" / "results.md").read_text()
    groups = text.split("## Groups")[1].split("## Association headroom")[0]
    assert "| tracker | unoccluded | occluded | occ20-40 | occ60-80 |" in groups
    native = next(row for row in groups.splitlines() if row.startswith("| botsort_native_reid | "))
    assert native.count("%") == 4  # the room closed, per group, against the reid: off twin
    assert f"| botsort_native_reid | {seq.name}+occ60-80 |" in text  # headroom and re-identification per band
    w = cache.orig_shape[1]
    for band in ("occ20-40", "occ60-80"):
        lo, hi = (int(v) / 100 for v in band[3:].split("-"))
        rows = np.loadtxt(tmp_path / "run" / "tracks" / "botsort_native_reid" / f"{seq.name}+{band}.txt", delimiter=",")
        centres = (rows[:, 2] + rows[:, 4] / 2) / w
        assert len(rows) and np.mean((centres >= lo) & (centres < hi)) < 0.05  # hardly anyone is tracked inside
    grid = ["--tracker", "botsort_native_reid.yaml", "--grid", "reid_confidence=0.7,0.8"]
    assert bench.main(["tune", *common, "--out", str(tmp_path / "tune"), *grid]) == 0
    assert "| tracker | unoccluded | occluded | occ20-40 | occ60-80 |" in (tmp_path / "tune" / "tune.md").read_text()


def test_run_scores_short_clips_each_from_a_fresh_tracker(cached, tmp_path):
    """`--clips 25` scores the 60-frame scene as clips 1-25 and 26-50 (the last 10 frames are under half a clip).

    Each clip's track file starts at its frame 1 with the tracker's first IDs, and is the replay of the clip's own
    cached detections from a fresh tracker; with `--occluder` the occluded sequence is cut the same way.
    """
    model, seq, cache, cache_dir = cached
    common = ["--model", model, "--seqs", str(seq.path), "--cache", str(cache_dir), "--clips", "25"]
    out = tmp_path / "run"
    assert bench.main(["run", *common, "--occluder", "0.2,0.4", "--out", str(out), "--trackers", "bytetrack.yaml"]) == 0
    text = (out / "results.md").read_text()
    names = [f"{seq.name}+clip1-25", f"{seq.name}+clip26-50", f"{seq.name}+occ20-40+clip1-25"]
    assert all(f"| {n} " in text or f" {n} |" in text for n in names) and "clip51" not in text
    for name, first in ((names[0], 0), (names[1], 25)):
        rows = np.loadtxt(out / "tracks" / "bytetrack" / f"{name}.txt", delimiter=",", ndmin=2)
        assert rows[:, 0].min() == 1 and rows[:, 0].max() <= 25 and rows[:, 1].min() == 1
        clip = bench.Sequence(seq.path)
        clip.name, clip.first, clip.length = name, first, 25
        part = cache.derived(
            cache.boxes[first : first + 25], {k: v[first : first + 25] for k, v in cache.feats.items()}
        )
        again, _ = bench.replay(clip, part, "bytetrack.yaml", tmp_path / f"{name}.txt")
        assert again.read_text() == (out / "tracks" / "bytetrack" / f"{name}.txt").read_text()


def test_replay_matches_model_track_end_to_end(cached, tmp_path):
    """The cached replay and a real `model.track` run of the same config give the same scores."""
    model, seq, cache, _ = cached
    table, _ = bench.run_trackers([seq], {seq.name: cache}, ["botsort_native_reid.yaml"], tmp_path / "replay")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ultralytics.trackers.eval",
            "e2e",
            "--model",
            model,
            "--seqs",
            str(seq.path),
            "--trackers",
            "botsort_native_reid.yaml",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(x for x in r.stdout.splitlines() if x.startswith("| botsort_native_reid |"))
    hota, idf1, mota, idsw = (float(c) for c in line.strip("|").split("|")[1:5])
    replay = table["botsort_native_reid"]
    assert abs(idf1 - replay["IDF1"]) < 0.02 and abs(hota - replay["HOTA"]) < 0.02 and abs(mota - replay["MOTA"]) < 0.02


def test_cli_help_lists_commands():
    """`python -m ultralytics.trackers.eval --help` names every command."""
    r = subprocess.run([sys.executable, "-m", "ultralytics.trackers.eval", "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for command in ("prepare", "cache", "auc", "run", "tune", "e2e", "latency"):
        assert command in r.stdout


def test_latency_times_exported_formats_against_their_own_predict(cached, tmp_path):
    """`latency --formats onnx` times predict and native-ReID tracking on the exported model, interleaved."""
    model, seq, _, _ = cached
    r = subprocess.run(
        [sys.executable, "-m", "ultralytics.trackers.eval", "latency", "--model", model, "--seqs", str(seq.path)]
        + ["--frames", "4", "--formats", "onnx", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    ratios, parts = (tmp_path / "latency.md").read_text().split("\n\n", 2)[1:]
    rows = {line.split("|")[1].strip(): line for line in ratios.splitlines()[2:]}
    assert set(rows) == {
        "predict",
        "track, no ReID",
        "track, native ReID",
        "track, external encoder",
        "predict [onnx]",
        "track, no ReID [onnx]",
        "track, native ReID [onnx]",
    }
    assert rows["predict [onnx]"].rstrip(" |").endswith("1.000")  # each format's ratio is to its own predict
    ratio, low, high = map(float, re.findall(r"\d+\.\d{3}", rows["track, native ReID [onnx]"].split("|")[3]))
    assert 0 < low <= high and ratio > 0  # a bootstrap interval beside each ratio (4 frames: too few to bracket it)
    assert not list(Path(model).parent.glob("*.onnx"))  # nothing exported beside the user's weights
    by_part = {  # the tracker's own time of each tracking mode, by part (camera motion first)
        line.split("|")[1].strip(): [float(x) for x in line.split("|")[2:-1]]
        for line in parts.splitlines()
        if line.startswith("| track")
    }
    assert set(by_part) == set(rows) - {"predict", "predict [onnx]"}
    for total, gmc, *others in by_part.values():
        assert total > 0 and gmc > 0 and total == pytest.approx(gmc + sum(others), abs=0.05)


def test_latency_times_other_trackers_in_the_same_rotation(cached, tmp_path):
    """`latency --trackers bytetrack.yaml` adds ByteTrack's tracking to the modes timed, with its update by part.

    BoT-SORT's camera-motion compensation shows in its part, ByteTrack has none; a bad config is refused with one line
    before any model runs.
    """
    model, seq, _, _ = cached
    cmd = [sys.executable, "-m", "ultralytics.trackers.eval", "latency", "--model", model, "--seqs", str(seq.path)]
    r = subprocess.run(
        cmd + ["--frames", "3", "--out", str(tmp_path), "--trackers", "bytetrack.yaml:track_high_thresh=0.35"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    ratios, parts = (tmp_path / "latency.md").read_text().split("\n\n", 2)[1:]
    rows = {line.split("|")[1].strip() for line in ratios.splitlines()[2:]}
    assert "track, bytetrack[track_high_thresh=0.35]" in rows and "track, native ReID" in rows
    by_part = {
        line.split("|")[1].strip(): [float(x) for x in line.split("|")[2:-1]]
        for line in parts.splitlines()
        if line.startswith("| track")
    }
    total, gmc, *_ = by_part["track, bytetrack[track_high_thresh=0.35]"]
    assert total > 0 and gmc == 0 and by_part["track, native ReID"][1] > 0

    bad = cmd + ["--out", str(tmp_path / "bad"), "--trackers", "bytetrack.yaml:no_such_key=1"]
    r = subprocess.run(bad, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2 and "no_such_key" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "bad").exists()  # nothing timed


def test_reid_prior_is_learnt_as_the_tracker_samples_the_scene(cached, capsys):
    """tools/reid_prior.py: same-person similarities above different-people ones, printed as SIMILARITY_PRIORS reads."""
    import reid_prior

    from ultralytics.trackers.utils.scene_reid import SceneStats

    model, seq, _, cache_dir = cached
    assert reid_prior.main(["--model", model, "--seqs", str(seq.path), "--cache", str(cache_dir)]) == 0
    printed = capsys.readouterr().out
    pos, neg = ast.literal_eval(printed[printed.index("(", printed.index('"color"')) : printed.rindex(")") + 1])
    assert len(pos) == len(neg) == reid_prior.BINS and 990 <= sum(pos) <= 1010 and 990 <= sum(neg) <= 1010
    centre = (np.arange(reid_prior.BINS) + 0.5) / reid_prior.BINS
    assert centre @ pos / sum(pos) > centre @ neg / sum(neg)  # the same person looks more alike
    stats = SceneStats((pos, neg))
    assert stats.ready and stats.ratio(np.array([0.99]))[0] > stats.ratio(np.array([0.6]))[0]
