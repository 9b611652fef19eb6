# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""What a tracker did with identities, measured against ground truth on TrackEval's preprocessed sequence data.

TrackEval (``MotChallenge2DBox.get_preprocessed_seq_data``) applies the benchmark's rules (MOT15, or MOT16/17 with
distractor rows); everything here reads its output, so it counts exactly the boxes TrackEval scores.

- `clear_matches`: the per-frame ground truth to track matches of TrackEval's CLEAR metric (same rule, so the identity
  changes below add up to its IDSW).
- `oracle_data`: the same output boxes with perfect identities. Its IDF1 is what association could reach on these
  boxes; minus the tracker's own IDF1 it is the room that re-identification can win (association headroom).
- `reid_events`: what happens to identities across gaps (the short-term recovery of lost tracks): for every person
  unmatched for at least ``gap`` frames and then matched again, whether the track ID is the one from before the gap
  (re-identification recall, by gap length); for every track ID unmatched for at least ``gap`` frames and then matched
  again, whether it is on the same person (a false re-identification if not); and every identity change, classified.

Identity changes (a person's matched track ID differs from the one it last had):

- ``swap``: the new ID had been on another person and was a live track in the previous frame: IDs swapped or jumped
  between live tracks, e.g. while people cross.
- ``new ID``: the new ID had never been on another person: a new track started (after a gap, or at once).
- ``wrong re-find``: the new ID was a lost track of another person, re-found on this one.
- ``earlier ID``: the new ID is one this person had before (a return to an earlier track).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

GAP_BINS = (1.0, 3.0, 10.0)  # seconds: re-identification recall is reported for gaps < 1 s, 1-3 s, 3-10 s, >= 10 s
CHANGES = ("swap", "new ID", "wrong re-find", "earlier ID")


def gap_bin_labels() -> list[str]:
    """Labels of the gap-length bins of `reid_events`, shortest first."""
    edges = [f"{b:g}" for b in GAP_BINS]
    return [f"<{edges[0]} s"] + [f"{a}-{b} s" for a, b in zip(edges, edges[1:])] + [f">={edges[-1]} s"]


def clear_matches(data: dict, threshold: float = 0.5) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per-frame matches of TrackEval's CLEAR metric: (matched gt ids, matched tracker ids) for every frame.

    Pairs overlapping by at least ``threshold`` IoU are matched by the Hungarian algorithm, preferring the track each
    person had in the previous frame, exactly as ``trackeval.metrics.CLEAR.eval_sequence`` does.

    Args:
        data (dict): TrackEval preprocessed sequence data (``gt_ids``, ``tracker_ids``, ``similarity_scores``,
            ``num_gt_ids``), ids contiguous from 0.
        threshold (float): Minimum IoU of a match (CLEAR's ``THRESHOLD``).

    Returns:
        (list[tuple[np.ndarray, np.ndarray]]): Matched ground-truth ids and tracker ids of each frame, aligned.
    """
    from scipy.optimize import linear_sum_assignment

    eps = np.finfo("float").eps
    prev = np.full(data["num_gt_ids"], np.nan)  # tracker id each person had in the previous frame
    out = []
    for gt_ids, tracker_ids, similarity in zip(data["gt_ids"], data["tracker_ids"], data["similarity_scores"]):
        if not len(gt_ids) or not len(tracker_ids):
            prev[:] = np.nan
            out.append((np.zeros(0, int), np.zeros(0, int)))
            continue
        score = 1000 * (tracker_ids[None, :] == prev[gt_ids[:, None]]) + similarity
        score[similarity < threshold - eps] = 0
        rows, cols = linear_sum_assignment(-score)
        keep = score[rows, cols] > eps
        matched = gt_ids[rows[keep]], tracker_ids[cols[keep]]
        prev[:] = np.nan
        prev[matched[0]] = matched[1]
        out.append(matched)
    return out


def oracle_data(data: dict, matches: list[tuple[np.ndarray, np.ndarray]] | None = None) -> dict:
    """The same sequence data with perfect identities: each matched box takes its person's id, the rest new ids.

    Args:
        data (dict): TrackEval preprocessed sequence data.
        matches (list, optional): `clear_matches(data)`, when already computed.

    Returns:
        (dict): A copy of ``data`` whose ``tracker_ids`` are oracle identities, for any TrackEval metric.
    """
    matches = clear_matches(data) if matches is None else matches
    n_gt, next_id, ids = data["num_gt_ids"], data["num_gt_ids"], []
    for tracker_ids, (gt_m, tr_m) in zip(data["tracker_ids"], matches):
        new = np.empty(len(tracker_ids), int)
        matched = np.isin(tracker_ids, tr_m)
        new[matched] = gt_m[np.argsort(tr_m)][np.searchsorted(np.sort(tr_m), tracker_ids[matched])]
        new[~matched] = np.arange(next_id, next_id + (~matched).sum())
        next_id += int((~matched).sum())
        ids.append(new)
    used = np.unique(np.concatenate(ids)) if ids else np.zeros(0, int)
    relabel = np.full(max(next_id, n_gt), -1)
    relabel[used] = np.arange(len(used))  # TrackEval's metrics expect contiguous ids
    return {**data, "tracker_ids": [relabel[i] for i in ids], "num_tracker_ids": len(used)}


def reid_events(data: dict, fps: float, gap: int = 5, matches: list | None = None) -> Counter:
    """Count what happens to identities across gaps and classify every identity change (see the module docstring).

    Args:
        data (dict): TrackEval preprocessed sequence data.
        fps (float): Frame rate, to bin gaps by their length in seconds.
        gap (int): A person or track counts as having had a gap when it was unmatched for at least this many frames.
        matches (list, optional): `clear_matches(data)`, when already computed.

    Returns:
        (Counter): ``gaps <bin>`` / ``kept <bin>``: people back after a gap of that length, and those of them back on
            the track ID they had before; ``track re-finds`` / ``false re-finds``: tracks back on a person after a gap,
            and those on another person than before; one count per identity change class (`CHANGES`).
    """
    matches = clear_matches(data) if matches is None else matches
    labels = gap_bin_labels()
    present_prev = set()
    person = {}  # gt id -> (frame, tracker id) of its last match
    track = {}  # tracker id -> (frame, gt id) of its last match
    had = {}  # gt id -> tracker ids it had
    counts = Counter({k: 0 for k in ("track re-finds", "false re-finds", *CHANGES)})
    for f, (tracker_ids, (gt_m, tr_m)) in enumerate(zip(data["tracker_ids"], matches)):
        for g, t in zip(gt_m.tolist(), tr_m.tolist()):
            if g in person:
                f0, t0 = person[g]
                if f - f0 - 1 >= gap:
                    b = labels[int(np.searchsorted(GAP_BINS, (f - f0 - 1) / fps, side="right"))]
                    counts[f"gaps {b}"] += 1
                    counts[f"kept {b}"] += t == t0
                if t != t0:
                    g_prev = track.get(t, (None, None))[1]
                    if t in had.get(g, ()):
                        counts["earlier ID"] += 1
                    elif g_prev is None:
                        counts["new ID"] += 1
                    elif t in present_prev:
                        counts["swap"] += 1
                    else:
                        counts["wrong re-find"] += 1
            if t in track and f - track[t][0] - 1 >= gap:
                counts["track re-finds"] += 1
                counts["false re-finds"] += track[t][1] != g
            person[g], track[t] = (f, t), (f, g)
            had.setdefault(g, set()).add(t)
        present_prev = set(tracker_ids.tolist())
    return counts


# ---------------------------------------------------------------------------------------------------------------------
# Reports over `ultralytics.trackers.eval.evaluate` tables (tracker -> combined numbers, with "sequences")


def _rows(table: dict) -> list[tuple[str, str, dict]]:
    """(tracker, sequence or "all", numbers) for every tracker: its sequences, then combined."""
    return [(n, s, r) for n, m in table.items() for s, r in [*m["sequences"].items(), ("all", m)]]


def closed_share(idf1: float, off: float, oracle_off: float) -> float:
    """Share of the association headroom of the ReID-off run (oracle minus its IDF1) that a ReID run closes."""
    room = oracle_off - off
    return (idf1 - off) / room if room > 1e-9 else float("nan")


def sequences_markdown(table: dict) -> str:
    """IDF1 (and ID switches) of each tracker on each sequence and combined, as a markdown table."""
    seqs = list(next(iter(table.values()))["sequences"]) if table else []
    lines = ["| tracker | " + " | ".join([*seqs, "all"]) + " |", "|---|" + "---|" * (len(seqs) + 1)]
    for name, m in table.items():
        cells = [m["sequences"][s] for s in seqs] + [m]
        lines.append(f"| {name} | " + " | ".join(f"{c['IDF1']:.3f} ({c['IDSW']})" for c in cells) + " |")
    return "\n".join(lines) + "\n"


def headroom_markdown(table: dict, reid_off: dict[str, str]) -> str:
    """Association headroom: each run's IDF1 beside the oracle IDF1 of its own boxes, and the share ReID closes.

    Args:
        table (dict): `evaluate` output.
        reid_off (dict[str, str]): ReID tracker name -> name of the same config with ``reid: off`` in ``table``.

    Returns:
        (str): A markdown table, one row per tracker and sequence (and combined).
    """
    lines = [
        "| tracker | sequence | IDF1 | oracle IDF1 (same boxes) | same config, reid: off | its oracle IDF1 | "
        "room closed |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, seq, r in _rows(table):
        off = reid_off.get(name)
        cells = [f"{r['IDF1']:.3f}", f"{r['oracle IDF1']:.3f}", "", "", ""]
        if off in table:
            o = table[off] if seq == "all" else table[off]["sequences"][seq]
            share = closed_share(r["IDF1"], o["IDF1"], o["oracle IDF1"])
            cells[2:] = [f"{o['IDF1']:.3f}", f"{o['oracle IDF1']:.3f}", f"{100 * share:+.0f} %"]
        lines.append(f"| {name} | {seq} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def groups_markdown(table: dict, reid_off: dict[str, str]) -> str:
    """IDF1 of each tracker pooled over each group of sequences (`evaluate`'s ``groups``), and the headroom closed.

    Args:
        table (dict): `evaluate` output with ``groups``.
        reid_off (dict[str, str]): ReID tracker name -> name of the same config with ``reid: off`` in ``table``.

    Returns:
        (str): A markdown table: one row per tracker, one column per group, ``IDF1 (IDSW)`` and for ReID trackers the
            share of the ``reid: off`` run's headroom closed.
    """
    groups = list(next(iter(table.values())).get("groups", {})) if table else []
    lines = ["| tracker | " + " | ".join(groups) + " |", "|---|" + "---|" * len(groups)]
    for name, m in table.items():
        cells = []
        for g in groups:
            r, cell = m["groups"][g], f"{m['groups'][g]['IDF1']:.3f} ({m['groups'][g]['IDSW']})"
            if reid_off.get(name) in table:
                o = table[reid_off[name]]["groups"][g]
                cell += f", {100 * closed_share(r['IDF1'], o['IDF1'], o['oracle IDF1']):+.0f} %"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def variants_markdown(table: dict, bases: dict[str, list[str]], reid_off: dict[str, str]) -> str:
    """Mean and spread of IDF1 over the variants of each sequence, and of the change against ``reid: off``.

    Args:
        table (dict): `evaluate` output.
        bases (dict[str, list[str]]): Sequence -> names of its variants in ``table`` (as shipped included).
        reid_off (dict[str, str]): ReID tracker name -> name of the same config with ``reid: off`` in ``table``.

    Returns:
        (str): A markdown table, one row per tracker and sequence.
    """
    lines = [
        "| tracker | sequence | variants | IDF1 mean (min-max) | vs reid: off, mean (worst) | room closed, mean |",
        "|---|---|---|---|---|---|",
    ]
    for name, m in table.items():
        for base, names in bases.items():
            idf1 = np.array([m["sequences"][n]["IDF1"] for n in names])
            cells = [str(len(names)), f"{idf1.mean():.3f} ({idf1.min():.3f}-{idf1.max():.3f})", "", ""]
            if reid_off.get(name) in table:
                off = [table[reid_off[name]]["sequences"][n] for n in names]
                delta = idf1 - np.array([o["IDF1"] for o in off])
                share = [closed_share(i, o["IDF1"], o["oracle IDF1"]) for i, o in zip(idf1, off)]
                cells[2] = f"{100 * delta.mean():+.1f} ({100 * delta.min():+.1f})"
                cells[3] = f"{100 * np.nanmean(share):+.0f} %"
            lines.append(f"| {name} | {base} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def reid_markdown(table: dict, gap: int) -> str:
    """The re-identification report: recall across gaps by length, false re-identifications, identity changes."""
    labels = gap_bin_labels()
    head = " | ".join(f"re-ID {b}" for b in labels)
    lines = [
        f"Gaps of at least {gap} frames. re-ID: people back on the track ID they had before the gap / people back "
        "after such a gap. False re-ID: track IDs back on another person after such a gap / track IDs back on a "
        "person.",
        "",
        f"| tracker | sequence | {head} | re-ID all | false re-ID | swap | new ID | wrong re-find | earlier ID |",
        "|---|---|" + "---|" * (len(labels) + 6),
    ]
    for name, seq, r in _rows(table):
        c = r["reid"]
        kept = [c[f"kept {b}"] for b in labels]
        gaps = [c[f"gaps {b}"] for b in labels]
        cells = [f"{k}/{g}" for k, g in zip(kept, gaps)] + [f"{sum(kept)}/{sum(gaps)}"]
        cells += [f"{c['false re-finds']}/{c['track re-finds']}"] + [str(c[k]) for k in CHANGES]
        lines.append(f"| {name} | {seq} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot_identities(table: dict, path, title: str) -> None:
    """One figure of what each tracker did with identities (combined over the sequences).

    Left: IDF1 beside the oracle IDF1 of the same boxes (the gap is the association headroom). Middle:
    re-identification recall by gap length. Right: identity changes by kind.

    Args:
        table (dict): `evaluate` output.
        path (str | Path): Output image.
        title (str): Figure title.
    """
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names, labels = list(table), gap_bin_labels()
    y = np.arange(len(names))[::-1]  # first tracker on top
    ticks = ["\n".join(textwrap.wrap(n.replace(",", ", "), 34)) for n in names]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, axes = plt.subplots(
        1, 3, figsize=(15, 1.6 + 0.75 * len(names)), gridspec_kw={"width_ratios": [1, 1, 1]}, constrained_layout=True
    )
    ax = axes[0]
    ax.barh(y + 0.2, [table[n]["IDF1"] for n in names], 0.4, label="IDF1", color=colors[0])
    ax.barh(y - 0.2, [table[n]["oracle IDF1"] for n in names], 0.4, label="oracle IDF1 (same boxes)", color="#bbbbbb")
    ax.set_yticks(y, ticks, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_title("association headroom", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax = axes[1]
    for i, n in enumerate(names):
        c = table[n]["reid"]
        recall = [c[f"kept {b}"] / c[f"gaps {b}"] if c[f"gaps {b}"] else np.nan for b in labels]
        ax.plot(labels, recall, "o-", color=colors[i % len(colors)], label=ticks[i])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("gap length", fontsize=9)
    ax.set_title("re-identification recall (same ID after the gap)", fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
    ax = axes[2]
    left = np.zeros(len(names))
    for k, color in zip(CHANGES, colors[1:]):
        v = np.array([table[n]["reid"][k] for n in names], dtype=float)
        ax.barh(y, v, 0.6, left=left, label=k, color=color)
        left += v
    ax.set_yticks(y, [""] * len(names))
    ax.set_title("identity changes (= IDSW)", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=len(CHANGES), frameon=False)
    fig.suptitle(title, fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
