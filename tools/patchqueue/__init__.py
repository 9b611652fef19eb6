"""Patch queue for ultralytics-reid: a pinned upstream Ultralytics sdist + ``patches/series`` + ``overlay/``.

The fork is never committed as source. It is *materialized*: the pinned upstream sdist (sha256-checked) is unpacked,
every patch in ``patches/series`` is applied exactly (no fuzz, no offset), each followed by the ``overlay/`` files it
brings (its ``Overlay:`` field: wholly new modules and configs of the fork), and ``ultralytics/_fork.py`` is generated
from the pin. Every prefix of the series is therefore a complete tree.

Developer workflow (the materialized tree is a git repository, one commit per patch with its overlay files, in the
spirit of ``gbp pq``)::

    python tools/pq.py materialize          # .pq/ = upstream + series; ./ultralytics -> .pq/ultralytics
    $EDITOR ultralytics/trackers/track.py   # edit the tree (overlay files too)
    python tools/pq.py refresh              # fold the edits into the patch that owns the file(s), rewrite patches/
    python tools/pq.py refresh --new "trackers: add X" --description "..."   # or start a new patch
    python tools/pq.py check                # applies exactly, exported, DEP-3 headers, no patch rewrites another's
    python tools/pq.py check --each         # ... and every prefix materializes, imports and tracks
    python tools/pq.py rebase 8.4.191       # 3-way rebase onto another upstream release, per-patch report

Modules: ``pin`` (pin, sdist fetch and verification), ``apply`` (exact patch application), ``overlay`` (which patch
brings which overlay file; keeping overlay/ and the tree in step), ``tree`` (materialize, export, the developer tree),
``gitrepo`` (isolated git), ``dep3`` (patch headers), ``checks`` (the series checks), ``rebase``, ``commands`` and
``cli``; ``smoke.py`` is the script ``check --each`` runs in each prefix's tree.

Only the Python standard library is used; ``git`` is needed for the developer commands (not for ``build``).
"""
