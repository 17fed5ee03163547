"""What `pip install seqcast` gets: dependency bounds seqcast runs on."""

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
    ("pandas", "3.0.0"),   # other inferred frequencies ('365D' for yearly dates with a gap) and date parsing ('Jan-15' as year 1)
    ("typer", "0.15.0"),   # any command: TypeError "Secondary flag is not valid for non-boolean flag" with click >= 8.2
])
def test_dependency_bounds_refuse_versions_seqcast_does_not_run_on(name, refused):
    assert not requirements()[name].contains(refused)


def test_the_installed_dependencies_are_within_the_bounds():  # the versions this suite passes with are allowed
    for name, spec in requirements().items():
        assert spec.contains(version(name)), f"{name} {version(name)} is outside {spec}"

