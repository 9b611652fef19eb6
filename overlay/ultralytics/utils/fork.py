# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""Install checks for ultralytics-reid, the Ultralytics fork that ships the same ``ultralytics`` package."""

from __future__ import annotations

from importlib import metadata

from ultralytics._fork import DISTRIBUTION, __version__
from ultralytics.utils import LOGGER

UPSTREAM_DISTRIBUTION = "ultralytics"


def check_distributions() -> bool:
    """Warn when upstream ``ultralytics`` is installed beside ``ultralytics-reid``.

    Both distributions install the ``ultralytics/`` package. pip installs one over the other file by file, so the
    result is a mix of the two that neither project tested, and uninstalling either one deletes files the other
    needs. This runs once per process, at ``import ultralytics``.

    Returns:
        (bool): True if both distributions are installed (the warning was printed).

    Examples:
        >>> from ultralytics.utils.fork import check_distributions
        >>> both_installed = check_distributions()
    """
    try:
        upstream = metadata.distribution(UPSTREAM_DISTRIBUTION)
        metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return False
    LOGGER.warning(
        f"Both '{UPSTREAM_DISTRIBUTION}' {upstream.version} and '{DISTRIBUTION}' {__version__} are installed. They "
        f"ship the same 'ultralytics' package, so the files on disk are a mix of both. Fix: "
        f"'pip uninstall -y {UPSTREAM_DISTRIBUTION} {DISTRIBUTION} && pip install {DISTRIBUTION}' (install packages "
        f"that require '{UPSTREAM_DISTRIBUTION}' with 'pip install --no-deps')."
    )
    return True
