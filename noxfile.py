"""Developer sessions: tests, lint, typecheck, docs, examples, bench.

Every session installs torch 2.13.0 through ``constraints.txt``, so that no session pulls a
CUDA build of torch (or a newer one) behind our back.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = ["3.11"]
CONSTRAINTS = ("-c", "constraints.txt")


def install(session: nox.Session, *extras: str) -> None:
    spec = f".[{','.join(extras)}]" if extras else "."
    session.install(*CONSTRAINTS, "-e", spec)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (pass pytest arguments after --)."""
    install(session, "dev")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*CONSTRAINTS, "ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    install(session, "dev")
    session.run("mypy", "--strict", "src/ecgkit")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the Sphinx documentation with warnings as errors."""
    install(session, "dev")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """Run every example in its quick mode."""
    install(session, "dev")
    for script in sorted(__import__("pathlib").Path("examples").glob("*.py")):
        session.run("python", str(script), "--quick")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run every benchmark (pass --data-dir DIR after -- for the MIT-BIH ones)."""
    install(session, "dev")
    session.run("python", "benchmarks/bench_rpeaks.py", *session.posargs)
    session.run("python", "benchmarks/bench_data.py", *session.posargs)
    session.run("python", "benchmarks/bench_trainer.py")
    session.run("python", "benchmarks/bench_explain.py")
    session.run("python", "benchmarks/bench_mitdb_inter_patient.py", *session.posargs)
