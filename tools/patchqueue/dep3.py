"""DEP-3 patch headers: read the fields of a patch, rewrite its ``Overlay`` field, and check that it is complete.

A patch header (the commit message below the subject) holds DEP-3 fields (https://dep-team.pages.debian.net/deps/dep3/)::

    Description: what the patch does and why (continuation lines start with a space)
    Overlay: ultralytics/trackers/config.py      # the overlay files this patch brings (pq's own field)
    Origin: vendor, ultralytics-reid
    Bug: https://github.com/ultralytics/ultralytics/issues/8654   # where an upstream report exists
    Forwarded: not-yet (why)                     # or no (why), not-needed (why), or the upstream PR's URL
    Last-Update: 2026-11-30
"""

from __future__ import annotations

import re

REQUIRED = ("Description", "Origin", "Forwarded", "Last-Update")
FIELD = re.compile(r"^([A-Z][A-Za-z-]*): ?(.*)$")
FORWARDED = re.compile(r"^(?:(?:no|not-needed|not-yet) \(.+\)|https?://\S+)$")
ORIGIN = re.compile(r"^(?:(?:upstream|backport|vendor|other), )?\S.*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def message_of(patch: str) -> str:
    """The commit message of a ``git format-patch`` file: the lines between its mail headers and ``---``."""
    head = patch.split("\n---\n", 1)[0]
    return head.split("\n\n", 1)[1] if "\n\n" in head else ""


def fields(message: str) -> dict[str, str]:
    """DEP-3 fields of a commit message: {name: value}, continuation lines joined with newlines."""
    found: dict[str, str] = {}
    name = None
    for line in message.split("\n"):
        m = FIELD.match(line)
        if m:
            name = m[1]
            found[name] = m[2].strip()
        elif name and line.startswith(" "):
            found[name] += "\n" + line.strip()
        else:
            name = None
    return found


def overlay_paths(message: str) -> list[str]:
    """The tree-relative overlay files a patch declares in its ``Overlay`` field (whitespace-separated)."""
    return fields(message).get("Overlay", "").split()


def with_overlay(message: str, paths: list[str]) -> str:
    """The message with its ``Overlay`` field set to ``paths`` (one per line) or removed; placed after Description."""
    lines, out, skip = message.split("\n"), [], False
    for line in lines:  # drop the old field and its continuation lines
        if line.startswith("Overlay:"):
            skip = True
            continue
        if skip and line.startswith(" "):
            continue
        skip = False
        out.append(line)
    if not paths:
        return "\n".join(out)
    field = ["Overlay: " + paths[0], *(" " + p for p in paths[1:])]
    at = next((i for i, line in enumerate(out) if FIELD.match(line) and not line.startswith("Description:")), None)
    if at is None:  # no field after the description: append the field after the last non-empty line
        at = len(out)
        while at and not out[at - 1].strip():
            at -= 1
    return "\n".join(out[:at] + field + out[at:])


def problems(name: str, message: str) -> list[str]:
    """What a patch header lacks to be a complete DEP-3 header, one line each (empty when complete)."""
    f = fields(message)
    out = [f"{name}: no DEP-3 '{key}' field" for key in REQUIRED if not f.get(key)]
    if f.get("Description", "").startswith("TODO"):
        out.append(f"{name}: the Description is still the TODO placeholder")
    if f.get("Forwarded") and not FORWARDED.match(f["Forwarded"]):
        out.append(
            f"{name}: 'Forwarded: {f['Forwarded']}' must be an upstream URL or no/not-needed/not-yet with the reason "
            "in parentheses"
        )
    if f.get("Origin") and not ORIGIN.match(f["Origin"]):
        out.append(f"{name}: 'Origin: {f['Origin']}' is not a DEP-3 origin")
    if f.get("Last-Update") and not DATE.match(f["Last-Update"]):
        out.append(f"{name}: 'Last-Update: {f['Last-Update']}' is not a YYYY-MM-DD date")
    return out
