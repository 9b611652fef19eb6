# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""Track many videos and streams on a Ray cluster: one model per worker, each source's tracker its own, resumable.

    python -m ultralytics.trackers.fleet --sources sources.txt --model yolo26n.pt --out runs/fleet
    python -m ultralytics.trackers.fleet --sources sources.txt --model yolo26n.pt --tracker botsort_native_reid.yaml
        --out runs/fleet --address auto --workers 8 --gpus-per-worker 0.5 --checkpoint-s 30

A sources file lists video files, image folders and stream URLs, one per line (blank lines and ``#`` comments are
skipped). Without ``--address`` a local Ray instance is started on this machine, so the same command runs on a laptop
and on a cluster. Each worker is a Ray actor holding one model, loaded once, and the trackers of the sources assigned
to it; every frame of a source goes through ``model.track(frame, persist=True)`` with that source's own tracker, at
the source's own frame rate, so its tracks are those of tracking the source alone with ``model.track(source,
persist=True)``.

Outputs in ``--out``: ``<source>.txt`` (MOTChallenge rows ``frame,id,x,y,w,h,conf,-1,-1,-1``) per source and
``summary.json`` (frames, processing fps, track IDs and re-finds per source, fps per worker, failures). Every
``--checkpoint-s`` seconds a worker writes each of its sources' tracker state (the tracker with its tracks, features
and scene statistics), the next frame and how much of the rows file is final, atomically, to ``<source>.ckpt``. When a
worker dies its sources are started on a new worker from their checkpoints: a file is read again from the
checkpointed frame and the rows after it are written again, so its output equals an uninterrupted run's; a stream goes
on from its current frame with the checkpointed identities, its tracker aged by the frames the stream gave meanwhile
(`advance`). ``--resume`` continues an interrupted run the same way. A source that cannot be opened fails alone, with
one line in the summary. With ``--watch``, lines appended to the sources file while the run goes on are taken up, each
by the worker with the fewest unfinished sources. ``--video`` and ``--identities`` also draw each file or folder, once
it has ended, from its final rows (so whatever failed on the way): ``<source>.mp4`` with each tracked box in its track
ID's colour, and ``<source>-identities.jpg``, one row of crops per track ID with a red bar where it was lost and
re-found (`ultralytics.trackers.render`).

The same as a function::

    from ultralytics.trackers.fleet import track_fleet

    summary = track_fleet(["a.mp4", "b.mp4"], "yolo26n.pt", out="runs/fleet", workers=2)

Needs ``ray`` (``pip install 'ultralytics-reid[fleet]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

from ultralytics.data.utils import IMG_FORMATS
from ultralytics.trackers.eval import mot_line
from ultralytics.trackers.track import source_frame_rate
from ultralytics.utils import LOGGER

STEP_FRAMES = 30  # frames a worker tracks of its sources per call, before it turns to its next ones


@dataclass
class Source:
    """One video file, image folder or stream of a fleet.

    Attributes:
        uri (str): Path or URL as given.
        name (str): Unique name of its outputs (``<name>.txt``, ``<name>.ckpt``).
    """

    uri: str
    name: str

    @property
    def is_stream(self) -> bool:
        """Whether the source is a live stream (a URL other than a file's), resumed at its current frame."""
        return "://" in self.uri and not self.uri.startswith("file://")


def read_sources(path: str | Path) -> list[Source]:
    """The sources of a sources file, one per line, each with a unique output name.

    Args:
        path (str | Path): Text file of video files, image folders and stream URLs; relative paths are taken from the
            file's folder, blank lines and lines starting with ``#`` are skipped.

    Returns:
        (list[Source]): The sources in file order.
    """
    path = Path(path)
    lines = [s.strip() for s in path.read_text().splitlines()]
    uris = []
    for line in (s for s in lines if s and not s.startswith("#")):
        p = Path(line)
        uris.append(line if "://" in line or p.is_absolute() or p.exists() else str(path.parent / line))
    return name_sources(uris)


def name_sources(uris: list[str], taken: set[str] | None = None) -> list[Source]:
    """Sources with unique names from their file or folder names (``clip``, ``clip-2``, ...), none of ``taken``."""
    sources, taken = [], set(taken or ())
    for uri in uris:
        stem = Path(uri.rstrip("/")).stem or "source"
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
        name, n = stem, 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name)
        sources.append(Source(uri, name))
    return sources


class Reader:
    """Frames of a video file, an image folder (sorted, as Ultralytics reads a folder) or a stream.

    Attributes:
        fps (float): Frames per second a tracker sees (the video's rate; 30 for folders and unknown rates).
        frames (int | None): Number of frames, where known.
    """

    def __init__(self, source: Source):
        """Open the source; raises ``FileNotFoundError`` or ``OSError`` in one line when it cannot be read."""
        import cv2

        self.source, self.cap, self.files, self.next = source, None, None, 0
        path = Path(source.uri)
        if not source.is_stream and path.is_dir():
            self.files = sorted(str(f) for f in path.iterdir() if f.suffix[1:].lower() in IMG_FORMATS)
            if not self.files:
                raise FileNotFoundError(f"no images in folder {source.uri}")
            self.fps, self.frames = 30.0, len(self.files)
            return
        if not source.is_stream and not path.is_file():
            raise FileNotFoundError(f"{source.uri} does not exist")
        self.cap = cv2.VideoCapture(source.uri)
        if not self.cap.isOpened():
            raise OSError(f"cannot open {source.uri} as a video or stream")
        self.fps = source_frame_rate(SimpleNamespace(fps=self.cap.get(cv2.CAP_PROP_FPS)))  # as `model.track` does
        n = int(self.cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frames = n if n > 0 and not source.is_stream else None

    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None at the end."""
        self.next += 1
        if self.files is not None:
            from ultralytics.utils.patches import imread

            return imread(self.files[self.next - 1]) if self.next <= len(self.files) else None
        ok, frame = self.cap.read()
        return frame if ok else None

    def skip_to(self, frame: int) -> None:
        """Continue from frame index ``frame`` (0-based): files decode and drop the frames before it, exactly."""
        if self.files is not None:
            self.next = frame
            return
        while self.next < frame and self.cap.grab():
            self.next += 1

    def __iter__(self):
        """The frames from the current one to the end."""
        while (frame := self.read()) is not None:
            yield frame

    def close(self) -> None:
        """Release the video."""
        if self.cap is not None:
            self.cap.release()


@dataclass
class SourceState:
    """What a worker holds of one source: its reader, tracker and output.

    Attributes:
        source (Source): The source.
        reader (Reader): Its frames.
        tracker (Any): Its tracker, used for no other source.
        frame (int): Frames tracked so far (the next frame's 0-based index).
        rows (Any): The open rows file.
        last_checkpoint (float): `time.monotonic()` of the last checkpoint.
        seconds (float): Time spent tracking it.
        since (tuple[float, int]): `time.time()` and frame of the last checkpoint (or of opening), for the rate of
            frames the source gives in wall-clock time.
        rate (float): That rate at the last checkpoint (frames per second; 0 until measured).
        missed (int): Frames of a stream that went by while no worker tracked it (restarts).
    """

    source: Source
    reader: Reader
    tracker: Any
    frame: int = 0
    rows: Any = None
    last_checkpoint: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    since: tuple[float, int] = (0.0, 0)
    rate: float = 0.0
    missed: int = 0


class FleetWorker:
    """One worker of a fleet: a model, loaded once, and the trackers of its sources (a Ray actor in `track_fleet`).

    Args:
        model (str): Model path or name, for `YOLO`.
        tracker (str): Tracker YAML.
        out (str): Output folder.
        checkpoint_s (float): Seconds between checkpoints of a source.
        predict (dict): Arguments of ``model.track`` (``imgsz``, ``conf``, ``device``, ...).
        draw (tuple[bool, bool]): Whether to draw each file or folder source, once ended, as an annotated video and as
            an identities sheet.
    """

    def __init__(
        self, model: str, tracker: str, out: str, checkpoint_s: float, predict: dict, draw: tuple = (False, False)
    ):
        """Load the model and set up its tracking predictor on a blank frame."""
        from ultralytics import YOLO

        self.draw = draw
        self.model, self.tracker, self.out = YOLO(model), tracker, Path(out)
        self.checkpoint_s, self.predict = checkpoint_s, {**predict, "verbose": False, "persist": True}
        self.model.track(np.zeros((64, 64, 3), np.uint8), tracker=tracker, **self.predict)  # predictor + features
        self.model.predictor.tracker_per_image = True  # a batch holds one frame of each of several sources
        self.sources: dict[str, SourceState] = {}

    def open(self, source: Source) -> dict:
        """Start tracking a source, from its checkpoint if it has one.

        Returns:
            (dict): ``{"name", "frame", "frames", "fps", "missed"}``, or ``{"name", "error"}`` when it cannot be read.
        """
        from ultralytics.trackers.config import build_tracker

        try:
            reader = Reader(source)
        except OSError as e:  # FileNotFoundError included
            return {"name": source.name, "error": str(e)}
        state = SourceState(source, reader, build_tracker(self.tracker, frame_rate=reader.fps))
        rows, kept = self.out / f"{source.name}.txt", 0
        ckpt = load_checkpoint(self.out / f"{source.name}.ckpt")
        if ckpt is not None:
            state.tracker, state.frame, kept, state.seconds = ckpt["tracker"], ckpt["frame"], ckpt["rows"], ckpt["s"]
            if not source.is_stream:
                reader.skip_to(state.frame)
            elif ckpt.get("time") and ckpt.get("rate"):  # the frames the stream gave while nobody tracked it
                state.rate = ckpt["rate"]
                missed = max(int((time.time() - ckpt["time"]) * state.rate) - 1, 0)
                advance(state.tracker, missed)
                state.frame, state.missed = state.frame + missed, ckpt.get("missed", 0) + missed
        state.since = (time.time(), state.frame)
        with open(rows, "a+b") as f:  # rows after the checkpoint are tracked again
            f.truncate(kept)
        state.rows = open(rows, "ab")
        self.sources[source.name] = state
        return {
            "name": source.name,
            "frame": state.frame,
            "frames": reader.frames,
            "fps": reader.fps,
            "missed": state.missed,
        }

    def step(self, names: list[str], frames: int = STEP_FRAMES) -> list[dict]:
        """Track up to ``frames`` frames of each of some sources; checkpoint each every ``checkpoint_s``; close ended.

        Each round reads the next frame of every source still running and sends the frames of the same size through
        the predictor together, one batch, each with its own source's tracker (the same letterbox as alone; batched
        inference can differ from one frame at a time in the last bits).

        Returns:
            (list[dict]): Per source ``{"name", "frame", "done", "seconds", "drawn"}``: frames tracked so far, whether
                it ended, the seconds spent on it (a batch's time shared by its frames), and the files drawn of it once
                ended (``--video``, ``--identities``).
        """
        states = [self.sources[n] for n in names]
        running, ended, start = list(states), set(), [s.frame for s in states]
        t0 = time.perf_counter()
        for _ in range(frames):
            batch = []
            for state in list(running):
                frame = state.reader.read()
                if frame is None:
                    running.remove(state)
                    ended.add(state.source.name)
                else:
                    batch.append((state, frame))
            if not batch:
                break
            for shape in dict.fromkeys(f.shape for _, f in batch):  # one predictor call per frame size
                self._track([(s, f) for s, f in batch if f.shape == shape])
        tracked = [s.frame - f for s, f in zip(states, start)]
        per_frame = (time.perf_counter() - t0) / max(sum(tracked), 1)
        out = []
        for state, n in zip(states, tracked):
            state.seconds += n * per_frame
            name, done = state.source.name, state.source.name in ended
            if done or time.monotonic() - state.last_checkpoint >= self.checkpoint_s:
                self.checkpoint(state)
            drawn = {}
            if done:
                state.rows.close()
                state.reader.close()
                del self.sources[name]
                if any(self.draw) and not state.source.is_stream:
                    drawn = self.draw_source(state)
            out.append({"name": name, "frame": state.frame, "done": done, "seconds": state.seconds, "drawn": drawn})
        return out

    def _track(self, batch: list[tuple[SourceState, np.ndarray]]) -> None:
        """Track one frame of each source of ``batch`` (frames of one size) in one predictor call; write their rows."""
        self.model.predictor.trackers = [state.tracker for state, _ in batch]  # each frame its source's tracker
        frames = [f for _, f in batch] if len(batch) > 1 else batch[0][1]
        results = self.model.track(frames, tracker=self.tracker, **self.predict)
        for (state, _), result in zip(batch, results):
            state.frame += 1
            boxes = result.boxes if result.obb is None else result.obb  # OBB rows: the enclosing boxes
            if boxes is not None and boxes.is_track:
                for xyxy, i, score in zip(boxes.xyxy.tolist(), boxes.id.tolist(), boxes.conf.tolist()):
                    state.rows.write(mot_line(state.frame, i, xyxy, score).encode())

    def draw_source(self, state: SourceState) -> dict[str, str]:
        """Draw an ended source from its frames and final rows: ``<name>.mp4`` and ``<name>-identities.jpg``."""
        from ultralytics.trackers.render import render

        name, (video, sheet) = state.source.name, self.draw
        reader = Reader(state.source)
        try:
            out = render(
                iter(reader),
                self.out / f"{name}.txt",
                reader.fps,
                self.out / f"{name}.mp4" if video else None,
                self.out / f"{name}-identities.jpg" if sheet else None,
            )
        finally:
            reader.close()
        return {k: str(out[k]) for k in ("video", "sheet") if k in out}

    def checkpoint(self, state: SourceState) -> None:
        """Write the source's tracker, next frame and final rows atomically (``<name>.ckpt``)."""
        state.rows.flush()
        os.fsync(state.rows.fileno())
        now, (then, frame) = time.time(), state.since
        if state.frame > frame and now > then:
            state.rate, state.since = (state.frame - frame) / (now - then), (now, state.frame)
        payload = {"tracker": state.tracker, "frame": state.frame, "rows": state.rows.tell(), "s": state.seconds}
        payload.update(time=now, rate=state.rate, missed=state.missed)  # a stream resumed from it skips those meanwhile
        save_checkpoint(self.out / f"{state.source.name}.ckpt", payload)
        state.last_checkpoint = time.monotonic()


def advance(tracker: Any, frames: int) -> None:
    """Let a tracker live through ``frames`` frames it did not see, as frames without detections.

    A live stream goes on while its worker restarts, so a tracker resumed from a checkpoint seconds ago must age its
    tracks by those frames: they become lost, their Kalman filters carry them on at their velocity, their re-find
    regions grow with the time lost, and those lost for longer than the lifetime are removed, as after any occlusion
    that long. Empty updates stop once nothing more can change (one more than the longest lifetime, ``max_frames_lost``
    or ``max_frames_lost_inside``); the frame counter takes the rest.

    Args:
        tracker (BYTETracker): A tracker of ``ultralytics.trackers`` (BYTETracker and its subclasses).
        frames (int): Frames it missed.
    """
    from ultralytics.engine.results import Boxes

    if frames <= 0:
        return
    shape = getattr(tracker, "frame_shape", None) or (0, getattr(tracker, "frame_width", None) or 0)
    empty = Boxes(np.empty((0, 6), np.float32), shape).numpy()
    lifetime = max(getattr(tracker, "max_frames_lost", frames), getattr(tracker, "max_frames_lost_inside", 0))
    updates = min(frames, lifetime + 1)
    for _ in range(updates):
        tracker.update(empty, None)
    tracker.frame_id += frames - updates
    gmc = getattr(tracker, "gmc", None)
    if gmc is not None:
        gmc.reset_params()  # no flow across the gap: the next frame starts the camera-motion estimate again


def save_checkpoint(path: Path, payload: dict) -> None:
    """Pickle ``payload`` (cloudpickle: trackers hold closures) to ``path`` atomically: a reader sees old or new."""
    from ray import cloudpickle

    tmp = path.with_suffix(".ckpt.tmp")
    with open(tmp, "wb") as f:
        cloudpickle.dump(payload, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict | None:
    """The checkpoint at ``path``, or None."""
    from ray import cloudpickle

    if not path.exists():
        return None
    with open(path, "rb") as f:
        return cloudpickle.load(f)


def refinds(rows_file: Path) -> tuple[int, int]:
    """Track IDs in a rows file, and re-finds: times an ID comes back after at least one frame without it."""
    last: dict[int, int] = {}
    back = 0
    if rows_file.exists():
        for line in rows_file.read_text().splitlines():
            frame, tid = (int(float(v)) for v in line.split(",")[:2])
            back += tid in last and frame - last[tid] > 1
            last[tid] = frame
    return len(last), back


@dataclass
class Progress:
    """A source's place in the run, as the driver sees it."""

    source: Source
    worker: int
    frames: int | None = None
    frame: int = 0
    seconds: float = 0.0
    status: str = "pending"  # pending, running, done, failed
    error: str = ""
    restarts: int = 0
    missed: int = 0
    drawn: dict = field(default_factory=dict)


def track_fleet(
    sources: list[str] | str | Path,
    model: str,
    tracker: str = "botsort_native_reid.yaml",
    out: str | Path = "runs/fleet",
    address: str | None = None,
    workers: int = 2,
    gpus_per_worker: float = 0.0,
    checkpoint_s: float = 30.0,
    resume: bool = False,
    watch: bool = False,
    video: bool = False,
    identities: bool = False,
    batch: int = 1,
    step_frames: int = STEP_FRAMES,
    on_step: Callable[[list, dict], None] | None = None,
    **predict: Any,
) -> dict:
    """Track every source on a pool of Ray workers; return the run summary (also written to ``out/summary.json``).

    Args:
        sources (list[str] | str | Path): Video files, image folders and stream URLs, or a sources file listing them.
        model (str): Model for `YOLO`, loaded once per worker.
        tracker (str): Tracker YAML, shipped or a path.
        out (str | Path): Output folder.
        address (str, optional): Ray cluster (``auto``, ``ray://host:10001``); None starts a local Ray instance.
        workers (int): Number of workers (Ray actors).
        gpus_per_worker (float): GPUs each worker reserves (fractions share a GPU).
        checkpoint_s (float): Seconds between checkpoints of each source.
        resume (bool): Continue from the checkpoints and outputs in ``out`` instead of starting afresh.
        watch (bool): With a sources file: take up lines added to it while the run goes on (each on the worker with
            the fewest unfinished sources), until every source has ended.
        video (bool): Draw each file or folder, once ended, as ``<name>.mp4``: its tracked boxes in their track IDs'
            colours, from its final rows.
        identities (bool): Draw each file or folder, once ended, as ``<name>-identities.jpg``: one row of crops per
            track ID, a red bar where it was lost and re-found.
        batch (int): Sources a worker tracks together: one frame of each (those of one frame size) per predictor call,
            each with its own tracker. 1 tracks each source exactly as alone; more fill a GPU better, and batched
            inference can differ from one frame at a time in the last bits of a box.
        step_frames (int): Frames a worker tracks of its sources before it turns to its next ones.
        on_step (Callable, optional): Called after every step a worker returns, with the worker actors and the
            source's `Progress` fields (e.g. to watch or, in tests, to kill a worker).
        **predict (Any): Arguments of ``model.track`` for every frame (``imgsz``, ``conf``, ``device``, ...).

    Returns:
        (dict): ``{"sources": {name: {...}}, "workers": [...], "seconds": s}``.
    """
    try:
        import ray
    except ImportError:
        raise ModuleNotFoundError("the fleet runs on Ray: pip install 'ultralytics-reid[fleet]'") from None
    from tqdm import tqdm

    if workers < 1 or checkpoint_s <= 0 or step_frames < 1 or batch < 1:
        raise ValueError(
            "need workers >= 1, checkpoint_s > 0, step_frames >= 1, batch >= 1, "
            f"got {workers}, {checkpoint_s}, {step_frames}, {batch}"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    listing = Path(sources) if isinstance(sources, (str, Path)) else None
    sources = read_sources(listing) if listing else name_sources([str(s) for s in sources])
    listed = [s.uri for s in sources]  # what the sources file held so far (`watch`)

    def clear(new: list[Source]) -> None:
        """A fresh run takes up no checkpoint, rows or drawings of an earlier one; streams are not drawn (a warning)."""
        for s in new if not resume else ():
            for suffix in (".ckpt", ".txt", ".mp4", "-identities.jpg"):
                (out / f"{s.name}{suffix}").unlink(missing_ok=True)
        for s in new if video or identities else ():
            if s.is_stream:
                LOGGER.warning(f"fleet: {s.uri} is a stream: rows only (--video, --identities draw files, folders)")

    clear(sources)
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, include_dashboard=False, logging_level="ERROR")
    actor = ray.remote(num_cpus=1, num_gpus=gpus_per_worker)(FleetWorker)

    def start_worker() -> Any:
        return actor.remote(model, tracker, str(out), checkpoint_s, predict, (video, identities))

    t0 = time.perf_counter()
    pool = [start_worker() for _ in range(workers if watch else min(workers, len(sources)) or 1)]
    progress = {s.name: Progress(s, i % len(pool)) for i, s in enumerate(sources)}
    pending: dict[Any, tuple[int, list[str], str]] = {}  # call -> (worker, its sources, "open" | "step")
    turn = [0] * len(pool)
    bars = {
        p.source.name: tqdm(desc=p.source.name, unit="frame", position=i, leave=True, file=sys.stderr)
        for i, p in enumerate(progress.values())
    }

    def submit(w: int) -> None:
        """Give worker `w` its next call: open a source it has not opened, else step the next `batch` open ones."""
        mine = [p for p in progress.values() if p.worker == w and p.status in {"pending", "running"}]
        fresh = [p for p in mine if p.status == "pending"]
        if fresh:
            fresh[0].status = "running"
            pending[pool[w].open.remote(fresh[0].source)] = (w, [fresh[0].source.name], "open")
        elif mine:
            names = [mine[(turn[w] + k) % len(mine)].source.name for k in range(min(batch, len(mine)))]
            turn[w] += len(names)
            pending[pool[w].step.remote(names, step_frames)] = (w, names, "step")

    def take_up_new_lines() -> None:
        """Add the sources listed in the sources file since it was last read, each to the least busy worker."""
        uris = [s.uri for s in read_sources(listing)]
        for uri in listed:
            if uri in uris:
                uris.remove(uri)
        if not uris:
            return
        listed.extend(uris)
        new = name_sources(uris, taken=set(progress))
        clear(new)
        for s in new:
            busy = [
                sum(p.worker == w and p.status in {"pending", "running"} for p in progress.values())
                for w in range(len(pool))
            ]
            w = busy.index(min(busy))
            progress[s.name] = Progress(s, w)
            bars[s.name] = tqdm(desc=s.name, unit="frame", position=len(bars), leave=True, file=sys.stderr)
            if not any(cw == w for cw, _, _ in pending.values()):
                submit(w)

    for w in range(len(pool)):
        submit(w)
    while pending:
        (ref,), _ = ray.wait(list(pending), num_returns=1)
        w, names, kind = pending.pop(ref)
        try:
            got = ray.get(ref)
        except ray.exceptions.RayActorError:  # the worker died: a new one takes up its sources from their checkpoints
            LOGGER.warning(f"fleet: worker {w} died; its sources go on from their checkpoints on a new worker")
            for call in [c for c, (cw, _, _) in pending.items() if cw == w]:
                pending.pop(call)
            pool[w] = start_worker()
            for q in progress.values():
                if q.worker == w and q.status == "running":
                    q.status, q.restarts = "pending", q.restarts + 1
            submit(w)
            continue
        except ray.exceptions.RayTaskError as e:  # a source raised (a corrupt frame, ...): the call's sources fail
            got = [{"name": n, "error": f"{type(e.cause).__name__}: {e.cause}".splitlines()[0]} for n in names]
        for r in [got] if isinstance(got, dict) else got:
            p = progress[r["name"]]
            if "error" in r:
                p.status, p.error = "failed", r["error"]
                LOGGER.warning(f"fleet: {p.source.uri}: {r['error']}")
            elif kind == "open":
                p.frames, p.frame, p.missed = r["frames"], r["frame"], r["missed"]
                bars[p.source.name].total, bars[p.source.name].n = r["frames"], r["frame"]
            else:
                bars[p.source.name].update(r["frame"] - p.frame)
                p.frame, p.seconds, p.drawn = r["frame"], r["seconds"], r["drawn"]
                p.status = "done" if r["done"] else p.status
            if on_step is not None:
                on_step(pool, asdict(p))
        submit(w)
        if watch and listing is not None:
            take_up_new_lines()
    for bar in bars.values():
        bar.close()

    summary = {"sources": {}, "workers": [], "seconds": round(time.perf_counter() - t0, 2)}
    for name, p in progress.items():
        ids, back = refinds(out / f"{name}.txt")
        if p.status == "done":
            (out / f"{name}.ckpt").unlink(missing_ok=True)
        summary["sources"][name] = {
            "uri": p.source.uri,
            "status": p.status,
            "error": p.error,
            "frames": p.frame,
            "missed": p.missed,
            "fps": round((p.frame - p.missed) / p.seconds, 2) if p.seconds else 0.0,
            "track_ids": ids,
            "refinds": back,
            "worker": p.worker,
            "restarts": p.restarts,
            **p.drawn,
        }
    for w in range(len(pool)):
        mine = [p for p in progress.values() if p.worker == w]
        frames, seconds = sum(p.frame - p.missed for p in mine), sum(p.seconds for p in mine)
        summary["workers"].append(
            {
                "sources": [p.source.name for p in mine],
                "frames": frames,
                "fps": round(frames / seconds, 2) if seconds else 0.0,
            }
        )
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    for w in pool:
        ray.kill(w)
    if started:
        ray.shutdown()
    return summary


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: ``python -m ultralytics.trackers.fleet --help``."""
    p = argparse.ArgumentParser(
        prog="python -m ultralytics.trackers.fleet",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--sources", required=True, type=Path, help="text file: video files, image folders, stream URLs")
    p.add_argument("--model", required=True, help="detection model, loaded once per worker")
    p.add_argument("--tracker", default="botsort_native_reid.yaml", help="tracker YAML, shipped or a path")
    p.add_argument("--out", type=Path, default=Path("runs/fleet"), help="output folder")
    p.add_argument("--address", default=None, help="Ray cluster (auto, ray://host:10001); default: a local instance")
    p.add_argument("--workers", type=int, default=2, help="workers (Ray actors), each with one model")
    p.add_argument("--gpus-per-worker", type=float, default=0.0, help="GPUs each worker reserves (0.5: two per GPU)")
    p.add_argument("--checkpoint-s", type=float, default=30.0, help="seconds between checkpoints of each source")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from the checkpoints in --out")
    p.add_argument("--watch", action="store_true", help="take up lines added to --sources while the run goes on")
    p.add_argument("--video", action="store_true", help="draw each ended file or folder: <source>.mp4 by track ID")
    p.add_argument("--identities", action="store_true", help="draw each ended file or folder: <source>-identities.jpg")
    p.add_argument("--batch", type=int, default=1, help="sources a worker sends through the model together")
    p.add_argument("--imgsz", type=int, default=640, help="inference size")
    p.add_argument("--conf", type=float, default=None, help="detection confidence threshold (model.track's default)")
    p.add_argument("--device", default=None, help="inference device of the workers (cpu, 0, ...)")
    args = p.parse_args(argv)
    if not args.sources.is_file():
        p.error(f"--sources {args.sources} is not a file")
    predict = {"imgsz": args.imgsz, **({"conf": args.conf} if args.conf is not None else {})}
    predict.update({"device": args.device} if args.device is not None else {})
    summary = track_fleet(
        args.sources,
        args.model,
        args.tracker,
        args.out,
        args.address,
        args.workers,
        args.gpus_per_worker,
        args.checkpoint_s,
        args.resume,
        args.watch,
        args.video,
        args.identities,
        args.batch,
        **predict,
    )
    for name, s in summary["sources"].items():
        line = f"{name}: {s['status']}, {s['frames']} frames, {s['fps']} fps, {s['track_ids']} track IDs"
        line += f", {s['missed']} frames missed while restarting" if s["missed"] else ""
        print(line + (f", {s['refinds']} re-finds" if s["status"] != "failed" else f" ({s['error']})"))
    drawn = "".join(f", <source>{x}" for x, on in ((".mp4", args.video), ("-identities.jpg", args.identities)) if on)
    print(f"wrote {args.out}/<source>.txt{drawn} and {args.out / 'summary.json'} in {summary['seconds']} s")
    return 1 if any(s["status"] == "failed" for s in summary["sources"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
