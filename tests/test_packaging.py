"""What `pip install seqcast` gets: dependency bounds seqcast runs on, package data, the sdist's contents."""

import fnmatch
import shutil
import subprocess
import sys
import tarfile
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirements() -> dict:
    from packaging.requirements import Requirement

    reqs = [Requirement(r) for r in pyproject()["project"]["dependencies"]]
    return {r.name: r.specifier for r in reqs}


@pytest.mark.parametrize("name,refused", [
    ("jax", "0.5.2"),      # jaxlib 0.5.1: "No such compile option: 'xla_cpu_use_fusion_emitters'"; before 0.4.36 no jit(compiler_options=)
    ("pandas", "2.1.4"),   # no 'ME' / 'QE' / 'YE' aliases: 19 of test_data*.py's tests fail
    ("pandas", "4.0.0"),   # not released: 3.0 changed inferred frequencies, date parsing and text dtypes, ported for 2.x and 3.x alike
    ("typer", "0.15.0"),   # any command: TypeError "Secondary flag is not valid for non-boolean flag" with click >= 8.2
])
def test_dependency_bounds_refuse_versions_seqcast_does_not_run_on(name, refused):
    assert not requirements()[name].contains(refused)


def test_the_installed_dependencies_are_within_the_bounds():  # the versions this suite passes with are allowed
    for name, spec in requirements().items():
        assert spec.contains(version(name)), f"{name} {version(name)} is outside {spec}"


def test_package_data_lists_every_file_the_package_reads():  # a data file left out of the wheel: 'not found' once installed
    patterns = pyproject()["tool"]["setuptools"]["package-data"]["seqcast"]
    files = [p.relative_to(ROOT / "seqcast").as_posix() for p in (ROOT / "seqcast").rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files), files


def test_the_repository_tracks_no_coverage_data():  # a coverage audit committed its 475 kB .coverage database
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")

    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)

    tracked = git("ls-files", "-z").stdout.split("\0")
    assert not [f for f in tracked if Path(f).name.startswith(".coverage")]
    data = [".coverage", ".coverage.host.1234.XyZ"]  # coverage run's database, and a parallel run's
    assert git("check-ignore", "--no-index", *data).stdout.split() == data  # ignored: not added again

def test_the_sdist_holds_the_license_readme_and_every_test_module(tmp_path):
    pytest.importorskip("setuptools")
    src = tmp_path / "src"  # a copy: building writes seqcast.egg-info beside pyproject.toml
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("seqcast", "tests"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    code = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "dist")], cwd=src, capture_output=True, text=True, check=True)
    with tarfile.open(tmp_path / "dist" / out.stdout.split()[-1]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    tests = {f"tests/{p.name}" for p in (ROOT / "tests").glob("*.py")}
    tests |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests" / "data").rglob("*") if p.is_file()}  # what they read
    assert {"LICENSE", "README.md", "seqcast/_data/airline.csv", "tests/conftest.py"} <= names
    assert tests <= names, sorted(tests - names)
