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
