"""What the benchmark reports about identities: MOTChallenge rules per sequence, oracle identities, re-identification.

Small hand-made sequences with known answers (two people, 40 frames at 10 fps) are scored through
`ultralytics.trackers.eval.evaluate`, which runs TrackEval and the identity analysis on the same preprocessed data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ultralytics.trackers import eval as bench
from ultralytics.trackers.identities import CHANGES

FRAMES = 40
PEOPLE = {1: (100, 100), 2: (400, 100)}  # gt id -> top-left corner; boxes 50 x 120, far apart


def sequence(tmp_path: Path, rows: list[str], name: str = "toy") -> bench.Sequence:
    """A MOTChallenge sequence folder holding only ground truth (10 fps, 640 x 480)."""
    seq = tmp_path / name
    (seq / "gt").mkdir(parents=True)
    (seq / "gt" / "gt.txt").write_text("\n".join(rows) + "\n")
    bench.write_seqinfo(seq, name, FRAMES, 10, 640, 480)
    return bench.Sequence(seq)


def mot15_gt() -> list[str]:
    """Both people in every frame, MOT15 columns (frame, id, box, conf, x, y, z)."""
    return [f"{f},{i},{x},{y},50,120,1,-1,-1,-1" for f in range(1, FRAMES + 1) for i, (x, y) in PEOPLE.items()]


def tracks(tmp_path: Path, who: dict[int, dict[int, int]], name: str = "t") -> Path:
    """A result file: ``who[gt id][frame] = track id`` puts that track on that person's box in that frame."""
    lines = []
    for f in range(1, FRAMES + 1):
        for gid, (x, y) in PEOPLE.items():
            if (tid := who.get(gid, {}).get(f)) is not None:
                lines.append(bench.mot_line(f, tid, [x, y, x + 50, y + 120], 0.9))
    path = tmp_path / f"{name}.txt"
    path.write_text("".join(lines))
    return path


def score(tmp_path: Path, who: dict[int, dict[int, int]], gap: int = 5) -> dict:
    """Combined numbers of one tracker output on the MOT15 toy sequence."""
    seq = sequence(tmp_path, mot15_gt())
    return bench.evaluate([seq], {"t": {seq.name: tracks(tmp_path, who)}}, gap)["t"]


def frames(a: int, b: int, tid: int) -> dict[int, int]:
    """Track ``tid`` on frames a..b."""
    return dict.fromkeys(range(a, b + 1), tid)


def test_perfect_tracks_have_no_headroom_and_no_identity_changes(tmp_path):
    """Right identities everywhere: IDF1 = oracle IDF1 = 1 and no identity change of any kind."""
    r = score(tmp_path, {1: frames(1, 40, 1), 2: frames(1, 40, 2)})
    assert r["IDF1"] == r["oracle IDF1"] == 1.0 and r["IDSW"] == 0
    assert all(r["reid"][k] == 0 for k in CHANGES)


def test_swap_between_live_tracks(tmp_path):
    """Two live tracks exchange their people half way: two swaps, IDF1 0.5, while the same boxes could score 1."""
    r = score(tmp_path, {1: {**frames(1, 20, 1), **frames(21, 40, 2)}, 2: {**frames(1, 20, 2), **frames(21, 40, 1)}})
    assert r["IDSW"] == 2 and r["reid"]["swap"] == 2 and sum(r["reid"][k] for k in CHANGES) == 2
    assert r["IDF1"] == pytest.approx(0.5) and r["oracle IDF1"] == 1.0


def test_person_back_after_a_gap_on_the_same_or_a_new_id(tmp_path):
    """A 10-frame gap (1 s at 10 fps) counts as a re-identification chance: kept with the same ID, missed with a new."""
    kept = score(tmp_path / "kept", {1: {**frames(1, 10, 1), **frames(21, 40, 1)}, 2: frames(1, 40, 2)})
    assert kept["reid"]["gaps 1-3 s"] == kept["reid"]["kept 1-3 s"] == 1 and kept["IDSW"] == 0
    assert kept["reid"]["track re-finds"] == 1 and kept["reid"]["false re-finds"] == 0
    new = score(tmp_path / "new", {1: {**frames(1, 10, 1), **frames(21, 40, 3)}, 2: frames(1, 40, 2)})
    assert new["reid"]["gaps 1-3 s"] == 1 and new["reid"]["kept 1-3 s"] == 0
    assert new["IDSW"] == 1 and new["reid"]["new ID"] == 1
    assert new["oracle IDF1"] == pytest.approx(kept["IDF1"]) and kept["IDF1"] > new["IDF1"]  # same boxes
    short = score(tmp_path / "short", {1: {**frames(1, 10, 1), **frames(21, 40, 1)}, 2: frames(1, 40, 2)}, gap=11)
    assert sum(v for k, v in short["reid"].items() if k.startswith("gaps")) == 0  # shorter than --gap: not counted


def test_wrong_re_find_is_a_false_re_identification(tmp_path):
    """Person 1's track, lost for 10 frames, comes back on person 2, who had another track: a wrong re-find."""
    r = score(tmp_path, {1: frames(1, 20, 1), 2: {**frames(1, 20, 2), **frames(31, 40, 1)}})
    assert r["IDSW"] == 1 and r["reid"]["wrong re-find"] == 1
    assert r["reid"]["track re-finds"] == 1 and r["reid"]["false re-finds"] == 1


def test_return_to_an_earlier_id(tmp_path):
    """1, then a new 3, then 1 again: one new ID and one return to an earlier ID, as many as TrackEval's IDSW."""
    r = score(tmp_path, {1: {**frames(1, 10, 1), **frames(11, 20, 3), **frames(21, 40, 1)}, 2: frames(1, 40, 2)})
    assert r["IDSW"] == 2 and r["reid"]["new ID"] == 1 and r["reid"]["earlier ID"] == 1


def test_mot16_ground_truth_is_scored_with_mot16_rules(tmp_path):
    """A box on a distractor row (class 8, consider 0) of MOT16/17 ground truth is removed, not a false positive."""
    gt = [f"{f},1,100,100,50,120,1,1,1.0" for f in range(1, FRAMES + 1)]
    gt += [f"{f},2,400,100,50,120,0,8,1.0" for f in range(1, FRAMES + 1)]  # a distractor, marked not to consider
    seq = sequence(tmp_path, gt, "mot16")
    assert bench.benchmark_rules(seq.gt) == "MOT17"
    assert bench.benchmark_rules(sequence(tmp_path, mot15_gt(), "mot15").gt) == "MOT15"
    r = bench.evaluate([seq], {"t": {seq.name: tracks(tmp_path, {1: frames(1, 40, 1), 2: frames(1, 40, 2)})}})["t"]
    assert r["FP"] == 0 and r["FN"] == 0 and r["IDF1"] == 1.0
    as_mot15 = sequence(tmp_path, [row.rsplit(",", 2)[0] + ",-1,-1,-1" for row in gt], "as-mot15")  # same rows
    assert bench.benchmark_rules(as_mot15.gt) == "MOT15"
    r15 = bench.evaluate([as_mot15], {"t": {as_mot15.name: tmp_path / "t.txt"}})["t"]
    assert r15["FP"] == FRAMES  # MOT15 rules count the distractor's boxes as false positives


def test_sequences_are_scored_alone_and_combined(tmp_path):
    """Each sequence keeps its own numbers under its own rules; the combined numbers pool their counts."""
    a = sequence(tmp_path, mot15_gt(), "a")
    b = sequence(tmp_path, [row.replace(",1,-1,-1,-1", ",1,1,1.0") for row in mot15_gt()], "b")  # MOT16 columns
    perfect = tracks(tmp_path, {1: frames(1, 40, 1), 2: frames(1, 40, 2)}, "perfect")
    swap = {1: {**frames(1, 20, 1), **frames(21, 40, 2)}, 2: {**frames(1, 20, 2), **frames(21, 40, 1)}}
    swapped = tracks(tmp_path, swap)
    r = bench.evaluate([a, b], {"t": {"a": perfect, "b": swapped}})["t"]
    assert r["sequences"]["a"]["IDF1"] == 1.0 and r["sequences"]["b"]["IDF1"] == pytest.approx(0.5)
    assert r["IDSW"] == 2 and r["IDF1"] == pytest.approx(0.75)
    assert np.isclose(r["oracle IDF1"], 1.0)


@pytest.mark.parametrize(
    ("layout", "row"),
    [
        (6, "{f},{i},{x},{y},50,120"),
        (7, "{f},{i},{x},{y},50,120,1"),
        (9, "{f},{i},{x},{y},50,120,1,1,1.0"),
        (10, "{f},{i},{x},{y},50,120,1,-1,-1,-1"),
    ],
)
def test_every_published_ground_truth_layout_is_read(tmp_path, layout: int, row: str):
    """6, 7, 9 and 10 columns (MOTChallenge has published all four) score alike; a 7-column conf 0 row is ignored."""
    rows = [row.format(f=f, i=i, x=x, y=y) for f in range(1, FRAMES + 1) for i, (x, y) in PEOPLE.items()]
    seq = sequence(tmp_path, rows, f"gt{layout}")
    r = bench.evaluate([seq], {"t": {seq.name: tracks(tmp_path, {1: frames(1, 40, 1), 2: frames(1, 40, 2)})}})["t"]
    assert r["IDF1"] == 1.0 and r["FP"] == 0 and r["FN"] == 0
    if layout == 7:  # person 2 marked conf 0: not scored, and its boxes count as false positives as in MOT15
        seq = sequence(tmp_path, [r.replace(",120,1", ",120,0") if r.split(",")[1] == "2" else r for r in rows], "z")
        r = bench.evaluate([seq], {"t": {seq.name: tmp_path / "t.txt"}})["t"]
        assert r["FN"] == 0 and r["FP"] == FRAMES


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        (["1,1,10,10,50,120,1,1"], "has 8 columns; MOTChallenge layouts have 6: frame,id,x,y,w,h"),
        (["1,1,10,10,50,120", "2,1,10,10,50,120,1"], "has 6/7 columns"),
        (["1,1,10,10,50,abc"], "line 1 is not numeric"),
        (["0,1,10,10,50,120"], "frame numbers must be integers >= 1"),
        (["1,1,10,10,0,120"], "boxes need finite x,y and w,h > 0"),
    ],
)
def test_ground_truth_in_no_layout_is_refused_in_one_line(tmp_path, rows: list[str], error: str):
    """A layout TrackEval cannot score is refused by the reader every command uses, naming the file and the layouts."""
    from ultralytics.trackers.sequences import GroundTruthError, read_gt

    seq = sequence(tmp_path, rows)
    with pytest.raises(GroundTruthError, match=error) as e:
        read_gt(seq.gt)
    assert "\n" not in str(e.value) and str(seq.gt) in str(e.value)


def test_occluder_ignores_the_people_it_hides_and_removes_their_detections(tmp_path):
    """A person walks through a pillar at 40-60 % of the width: inside it no detection and no person to find.

    The band is 256-384 px wide in a 640-px image; the walker's centre crosses it on frames 17-24. Detections centred
    in it are gone, so a tracker's output has an 8-frame gap there; the ground truth inside it is ignored, so keeping
    the ID across the band scores a perfect IDF1 and a re-identification, and a new ID after it one ID switch that
    perfect identities on the same boxes would not make.
    """
    from ultralytics.trackers.sequences import Occluder

    walker = {f: 15 * f - 15 for f in range(1, FRAMES + 1)}  # left edge; box 50 wide, centre = left + 25
    seq = sequence(tmp_path, [f"{f},1,{x},100,50,120,1,-1,-1,-1" for f, x in walker.items()])
    boxes = [np.array([[x, 100, x + 50, 220, 0.9, 0]], np.float32) for x in walker.values()]
    band = Occluder.parse("0.4,0.6")
    occluded, kept, feats = band.apply(seq, boxes, {"color": [np.ones((1, 4))] * FRAMES}, 640, tmp_path / "occ")
    assert occluded.name == "toy+occ40-60" and occluded.occluder == band and occluded.length == seq.length
    seen = [f for f, b in enumerate(kept, 1) if len(b)]
    assert [f for f in walker if f not in seen] == list(range(17, 25))  # centres 265..370 px: 256 <= c < 384
    assert all(len(f) == len(b) for f, b in zip(feats["color"], kept))

    def result(ids: dict[int, int], name: str) -> Path:
        lines = [bench.mot_line(f, ids[f], kept[f - 1][0, :4].tolist(), 0.9) for f in seen]
        (tmp_path / name).write_text("".join(lines))
        return tmp_path / name

    same = result(dict.fromkeys(walker, 1), "same.txt")
    new = result({f: 1 if f < 17 else 2 for f in walker}, "new.txt")
    r = bench.evaluate([occluded], {"same": {occluded.name: same}, "new": {occluded.name: new}})
    assert r["same"]["IDF1"] == 1.0 and r["same"]["FN"] == 0 and r["same"]["FP"] == 0
    assert r["same"]["reid"]["gaps <1 s"] == r["same"]["reid"]["kept <1 s"] == 1  # 8 frames at 10 fps
    assert r["new"]["IDSW"] == 1 and r["new"]["reid"]["new ID"] == 1 and r["new"]["oracle IDF1"] == 1.0
    plain = bench.evaluate([seq], {"same": {seq.name: same}})["same"]
    assert plain["FN"] == 8  # without the occluder the hidden frames are missed people


def test_occluder_values_are_checked():
    """LO,HI fractions of the width, LO < HI: anything else is one clear error."""
    from ultralytics.trackers.sequences import Occluder

    for text, error in (("0.3", "expected LO,HI"), ("0.5,0.4", "0 <= LO < HI <= 1"), ("a,b", "expected LO,HI")):
        with pytest.raises(ValueError, match=error):
            Occluder.parse(text)


def test_clips_are_scored_as_videos_that_begin_there(tmp_path):
    """Cut into clips of 15 frames, the 40-frame sequence is three clips, each with its own frames, boxes and people.

    Clip 16-30 holds the frames, detections and ground truth of frames 16-30 renumbered from 1; the last clip (10
    frames, at least half of 15) is kept; both people changing their IDs at frame 20 are two ID switches in that clip
    only.
    With clips of 30 frames the last 10 are dropped (fewer than half), and a window without anyone is not a clip.
    """
    import cv2

    from ultralytics.trackers.sequences import clips

    seq = sequence(tmp_path, mot15_gt())
    seq.img_dir.mkdir()
    for f in range(1, FRAMES + 1):  # frame f is grey level 5 f, lossless
        cv2.imwrite(str(seq.img_dir / f"{f:06d}.png"), np.full((48, 64, 3), 5 * f, np.uint8))
    boxes = [np.array([[f, 0, f + 10, 20, 0.9, 0]], np.float32) for f in range(1, FRAMES + 1)]
    feats = {"color": [np.full((1, 4), f, np.float32) for f in range(1, FRAMES + 1)]}
    cut = clips(seq, boxes, feats, 15, tmp_path / "clips")
    assert [c.name for c, _, _ in cut] == ["toy+clip1-15", "toy+clip16-30", "toy+clip31-40"]
    clip, kept, kept_feats = cut[1]
    assert (clip.first, clip.length, clip.fps) == (15, 15, seq.fps)
    assert [int(b[0, 0]) for b in kept] == [int(f[0, 0]) for f in kept_feats["color"]] == list(range(16, 31))
    assert [int(fr[0, 0, 0]) for fr in clip.frames()] == [5 * f for f in range(16, 31)]
    gt, _ = bench.read_gt(clip.gt)
    assert gt[:, 0].min() == 1 and gt[:, 0].max() == 15 and len(gt) == 2 * 15

    switched = tracks(
        tmp_path, {gid: {**frames(1, 19, gid), **frames(20, FRAMES, gid + 10)} for gid in PEOPLE}, "whole"
    )
    whole = bench.evaluate([seq], {"t": {seq.name: switched}})["t"]
    assert whole["IDSW"] == 2  # both people change ID at frame 20
    per_clip, all_rows = {}, np.loadtxt(switched, delimiter=",")
    for c, _, _ in cut:  # each clip's tracker output, frames renumbered as the replay writes them
        rows = all_rows[(all_rows[:, 0] > c.first) & (all_rows[:, 0] <= c.first + c.length)]
        rows[:, 0] -= c.first
        (tmp_path / f"{c.name}.txt").write_text(
            "".join(bench.mot_line(int(r[0]), r[1], [r[2], r[3], r[2] + r[4], r[3] + r[5]], r[6]) for r in rows)
        )
        per_clip[c.name] = tmp_path / f"{c.name}.txt"
    r = bench.evaluate([c for c, _, _ in cut], {"t": per_clip})["t"]
    assert {name: s["IDSW"] for name, s in r["sequences"].items()} == {
        "toy+clip1-15": 0,
        "toy+clip16-30": 2,
        "toy+clip31-40": 0,
    }
    assert r["IDF1"] < 1.0 and r["sequences"]["toy+clip31-40"]["IDF1"] == 1.0
    assert [c.name for c, _, _ in clips(seq, boxes, feats, 30, tmp_path / "clips")] == ["toy+clip1-30"]
    late = sequence(tmp_path, [f"{f},1,100,100,50,120,1,-1,-1,-1" for f in range(21, FRAMES + 1)], name="late")
    assert [c.name for c, _, _ in clips(late, boxes, feats, 10, tmp_path / "clips")] == [
        "late+clip21-30",
        "late+clip31-40",
    ]
    with pytest.raises(ValueError, match="at least 2 frames"):
        clips(seq, boxes, feats, 1, tmp_path / "clips")


def test_clips_of_a_video_start_at_their_own_frame(tmp_path):
    """A clip of a video sequence reads its frames from its first frame on (the frames before are decoded, dropped)."""
    import cv2

    from ultralytics.trackers.sequences import clips

    seq = sequence(tmp_path, mot15_gt())
    video = seq.path / "toy.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for f in range(1, FRAMES + 1):
        writer.write(np.full((48, 64, 3), 5 * f, np.uint8))
    writer.release()
    bench.write_seqinfo(seq.path, "toy", FRAMES, 10, 64, 48, video=video)
    seq = bench.Sequence(seq.path)
    boxes = [np.zeros((0, 6), np.float32)] * FRAMES
    clip = clips(seq, boxes, {}, 15, tmp_path / "clips")[2][0]
    levels = [int(fr.mean().round()) for fr in clip.frames()]
    assert len(levels) == 10 and all(abs(v - 5 * f) <= 2 for v, f in zip(levels, range(31, 41)))
