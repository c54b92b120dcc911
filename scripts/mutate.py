"""Mutation testing of one rule module:
``make mutate MODULE=partners/statements/earnings.py``.

mutmut 3 copies the project under ``mutants/``, mutates the functions of MODULE and
runs, for each mutant, only the tests that reached the mutated function. The run ends
with the module's score and the surviving mutants; ``.venv/bin/mutmut show NAME``
prints the change one of them made.

Test paths after MODULE replace the default selection below; ``--again`` (``make
mutate MODULE=... AGAIN=1``) re-runs only the last run's survivors, after new tests.
``--only GLOB`` (``make mutate MODULE=... ONLY='*x_funnel*'``) mutates only the
functions whose mutant names match, so a large module can be run a part at a time;
the score then counts only those mutants.
Browser and real-worker tests stay out: forked mutant runs cannot isolate a live
server or a Celery worker.
A line whose every mutant is equivalent carries ``# pragma: no mutate`` with the why.
"""

import os
import shutil
import sys
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from mutmut import configuration
from mutmut.__main__ import SourceFileMutationData, cli, status_by_exit_code

FAST_TESTS = ["partners", "referrals", "evaluation", "chwlink", "tests/security"]
# Module -> the tests that exercise its rules; anything else runs FAST_TESTS.
STATEMENT_TESTS = [
    "partners/tests/test_statement_arithmetic.py",
    "partners/tests/test_statement_navigator_time.py",
    "partners/tests/test_statement_recount.py",
]
COVERING_TESTS = {
    "partners/statements/__init__.py": STATEMENT_TESTS,
    "partners/statements/earnings.py": STATEMENT_TESTS,
}


def mutation_database_url() -> str:
    """A database of its own, so a mutation run can go beside ``make test``."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        # The same embedded cluster as `make test`, not a new one under mutants/.
        sys.path.insert(0, str(Path.cwd()))
        from chwlink.lib import embedded_db

        base = embedded_db.database_url(Path("var").resolve())
    url = urlsplit(base)
    return urlunsplit(url._replace(path=f"{url.path.rstrip('/')}_mutation"))


def results(module: str) -> dict[str, int | None]:
    """Each mutant's exit code as mutmut stored it (None: not run)."""
    data = SourceFileMutationData(path=Path(module))
    data.load()
    return dict(data.exit_code_by_key)


def store(module: str, codes: dict[str, int | None]) -> None:
    """Write the combined results back, so a later re-run starts from them."""
    data = SourceFileMutationData(path=Path(module))
    data.load()
    data.exit_code_by_key = codes
    data.save()


def score(codes: dict[str, int | None]) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    survivors = []
    for name, exit_code in sorted(codes.items()):
        status = status_by_exit_code[exit_code]
        counts[status] = counts.get(status, 0) + 1
        if status != "killed":
            survivors.append(f"{name}: {status}")
    return counts, survivors


def main() -> int:
    if len(sys.argv) < 2 or not Path(sys.argv[1]).is_file():
        print(__doc__)
        return 2
    module, *tests = sys.argv[1:]
    again = "--again" in tests
    tests = [test for test in tests if test != "--again"]
    only = None
    if "--only" in tests:
        at = tests.index("--only")
        only = tests[at + 1]
        del tests[at : at + 2]
    os.environ["DATABASE_URL"] = mutation_database_url()
    config = configuration.config()
    config.only_mutate = [module]
    config.pytest_add_cli_args_test_selection = tests or COVERING_TESTS.get(
        module, FAST_TESTS
    )
    names = [only] if only else []
    earlier: dict[str, int | None] = {}
    if again and Path("mutants").is_dir():
        earlier = results(module)
        names = [line.split(":")[0] for line in score(earlier)[1]]
        names = [name for name in names if not only or fnmatch(name, only)]
        if not names:
            print(f"{module}: no survivors to run again.")
            return 0
    else:
        # A fresh copy: results must reflect the tests as they are now.
        shutil.rmtree("mutants", ignore_errors=True)
    cli(["run", "--max-children", "1", *names], standalone_mode=False)

    # A re-run stores only the survivors it ran; the others keep their earlier result.
    now = results(module)
    codes = {
        name: now.get(name) if name in names else code for name, code in earlier.items()
    }
    if earlier:
        store(module, codes)
    else:
        codes = now
    if only:
        codes = {name: code for name, code in codes.items() if fnmatch(name, only)}
    counts, survivors = score(codes)
    total = sum(counts.values())
    killed = counts.get("killed", 0)
    print("\nSurviving mutants (mutmut show NAME):")
    print("\n".join(f"  {line}" for line in survivors) or "  none")
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    percent = 100 * killed / total if total else 100.0
    print(f"\n{module}: {total} mutants ({summary}); score {percent:.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
