"""Building and installing: `python -m build` (sdist, and the wheel from it), `pip wheel .`, `pip install .`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def run(*cmd: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run a command; fail with its output."""
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def built(tmp_path_factory, pin) -> tuple[Path, Path]:
    """`python -m build` of this checkout: the sdist, and the wheel pip's `build` made *from that sdist*."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    version = f"{pin.version}.post{pin.revision}"
    sdist, wheel = out / f"ultralytics_reid-{version}.tar.gz", out / f"ultralytics_reid-{version}-py3-none-any.whl"
    assert sorted(p.name for p in out.iterdir()) == sorted([sdist.name, wheel.name])
    return sdist, wheel


def test_sdist_holds_only_our_files(built):
    """The sdist carries patches, overlay, tools and tests, and no upstream source."""
    with tarfile.open(built[0]) as tar:
        names = [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]
    assert {"pyproject.toml", "PKG-INFO", "patches/series", "patches/upstream.toml", "tools/pq.py"} <= set(names)
    assert not [n for n in names if n.startswith("ultralytics/")]


def test_wheel_provides_ultralytics_with_data_and_scripts(built, pin):
    """The wheel holds the patched package, its data files, the console scripts and the fork metadata."""
    with zipfile.ZipFile(built[1]) as whl:
        names = set(whl.namelist())
        info = f"ultralytics_reid-{pin.version}.post{pin.revision}.dist-info"
        meta = whl.read(f"{info}/METADATA").decode()
        scripts = whl.read(f"{info}/entry_points.txt").decode()
        init = whl.read("ultralytics/__init__.py").decode()
    assert {"ultralytics/_fork.py", "ultralytics/cfg/trackers/botsort.yaml", "ultralytics/assets/bus.jpg"} <= names
    assert f"{info}/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith("tests/")]
    assert "Name: ultralytics-reid" in meta and f"Version: {pin.version}.post{pin.revision}" in meta
    assert "Requires-Dist: lap" in meta and "Requires-Dist: torch" in meta
    assert "yolo = ultralytics.cfg:entrypoint" in scripts and "ultralytics = ultralytics.cfg:entrypoint" in scripts
    assert "from ultralytics._fork import __version__" in init  # the series was applied


def test_pip_wheel_builds_the_same_wheel_name(tmp_path, pin):
    """`pip wheel .` from the checkout."""
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", tmp_path, ROOT)
    assert [p.name for p in tmp_path.iterdir()] == [
        f"ultralytics_reid-{pin.version}.post{pin.revision}-py3-none-any.whl"
    ]


def fresh_venv(path: Path) -> Path:
    """Create a virtual environment whose own site-packages is empty.

    Dependencies (torch, numpy, ...) are reachable through a .pth layer onto this test run's environment, which comes
    *after* the venv's own site-packages, so what is installed into the venv wins.
    """
    run(sys.executable, "-m", "venv", "--without-pip", path)
    py = path / "bin/python"
    site = Path(run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    layers = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_test_dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(layers)))
    return py


def pip_into(py: Path, *args: str | Path) -> None:
    """Pip install into another interpreter's environment, never touching this one."""
    run(sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--ignore-installed", *args)


def test_pip_install_dot_into_a_fresh_venv_and_yolo_version_runs(tmp_path, pin):
    """`pip install .` installs the fork into a new venv whose `yolo version` answers from that venv."""
    py = fresh_venv(tmp_path / "venv")
    pip_into(py, ROOT)
    where = run(py, "-c", "import ultralytics; print(ultralytics.__file__)", cwd=tmp_path).stdout.strip()
    assert where.startswith(str(tmp_path / "venv"))
    out = run(tmp_path / "venv/bin/yolo", "version")
    assert (
        f"{pin.version}.post{pin.revision} (ultralytics-reid, based on Ultralytics {pin.version})"
        in out.stdout + out.stderr
    )


def test_fork_installed_over_upstream_warns_once(tmp_path, built, pin):
    """Real upstream wheel first, then the fork over it: import warns once, naming both and the fix."""
    wheels = tmp_path / "upstream"
    run(
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary",
        ":all:",
        "--dest",
        wheels,
        f"ultralytics=={pin.version}",
    )
    py = fresh_venv(tmp_path / "venv")
    pip_into(py, next(wheels.glob("*.whl")))
    pip_into(py, built[1])
    r = subprocess.run([py, "-c", "import ultralytics"], capture_output=True, text=True, cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert out.count("are installed") == 1, out
    assert f"'ultralytics' {pin.version} and 'ultralytics-reid' {pin.version}.post{pin.revision}" in out
    assert "pip uninstall -y ultralytics ultralytics-reid && pip install ultralytics-reid" in out


def test_upstream_sdist_downloads_inside_a_pep517_build(pin):
    """The backend fetches upstream with pip from inside `python -m build`, whose hook variables name our backend.

    pip builds the sdist's build dependencies from source (`--no-binary :all:`); they must not inherit our backend's
    path (a fresh machine failed with "Cannot find module 'flit_core.buildapi' in ['.../tools']").
    """
    code = (
        "import sys; sys.path.insert(0, 'tools'); from patchqueue import pin; "
        f"p = pin.download('{pin.name}', '{pin.version}'); print(pin.sha256_of(p))"
    )
    tools = str(ROOT / "tools")  # as build sets them for our backend (pyproject_hooks' names, older and newer)
    env = {**os.environ, "_PYPROJECT_HOOKS_BACKEND_PATH_JSON": json.dumps([tools]), "PEP517_BACKEND_PATH": tools}
    env.update(_PYPROJECT_HOOKS_BUILD_BACKEND="build_backend", PEP517_BUILD_BACKEND="build_backend")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split()[-1] == pin.sha256
