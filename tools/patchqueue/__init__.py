"""Patch queue for ultralytics-reid: a pinned upstream Ultralytics sdist + ``patches/series`` + ``overlay/``.

The fork is never committed as source. It is *materialized*: the pinned upstream sdist (sha256-checked) is unpacked,
every patch in ``patches/series`` is applied exactly (no fuzz, no offset), the files of ``overlay/`` (wholly new
modules and configs of the fork) are placed into the tree and ``ultralytics/_fork.py`` is generated from the pin.

Developer workflow (the materialized tree is a git repository, one commit per patch, in the spirit of ``gbp pq``)::

    python tools/pq.py materialize          # .pq/ = upstream + series; ./ultralytics -> .pq/ultralytics
    $EDITOR ultralytics/trackers/track.py   # edit the tree
    python tools/pq.py refresh              # fold the edits into the patch that owns the file(s), rewrite patches/
    python tools/pq.py refresh --new "trackers: add X" --description "..."   # or start a new patch
    python tools/pq.py check                # series applies to the pin and patches/ is what refresh would write
    python tools/pq.py rebase 8.4.191       # 3-way rebase onto another upstream release, per-patch report

Only the Python standard library is used; ``git`` is needed for the developer commands (not for ``build``).
"""
