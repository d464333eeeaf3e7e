"""The ``kzunrest`` command: validate the data, build the report, describe the data."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from .i18n import LANGUAGES  # stdlib imports only: --help stays fast

EPILOG = """exit status: 0 success; 1 invalid data, configuration or a failing chapter; 2 wrong usage;
130 interrupted. A failed build leaves the previous build/report.html and build/report.pdf as they
were."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kzunrest", epilog=EPILOG,
        description="Reproducible report on Kazakhstan's January 2022 unrest.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "validate", help="check every CSV against data/datapackage.json",
        description="Check every CSV in the data package: types, required fields, allowed values, "
                    "bounds, keys, and that every source_id is in sources.csv. Each problem is "
                    "printed as 'file:row: column — what is wrong; how to fix it'.")
    check.add_argument("--data-dir", type=Path, default=None,
                       help="folder holding datapackage.json and the CSVs (default: data/)")

    build = commands.add_parser(
        "build", help="validate, execute the chapters, assemble and export the report",
        description="Build build/report.html (self-contained, interactive, offline) and "
                    "build/report.pdf (A4) from the chapters listed in report.yml. Chapters whose "
                    "inputs did not change are reused from the cache.", epilog=EPILOG)
    build.add_argument("--config", type=Path, default=None,
                       help="report configuration: chapters, order, parameters (default: report.yml)")
    build.add_argument("--data-dir", type=Path, default=None,
                       help="folder holding datapackage.json and the CSVs (default: data/)")
    build.add_argument("--output-dir", type=Path, default=None,
                       help="where to write the report; must be build/ or inside it (default: build/)")
    build.add_argument("--force", action="store_true",
                       help="ignore the execution cache: validate and execute every chapter again")
    build.add_argument("--jobs", type=int, default=None,
                       help="chapters executed at once (default: one per CPU core)")
    build.add_argument("--no-pdf", dest="pdf", action="store_false",
                       help="write only the HTML report")
    build.add_argument("--language", dest="languages", action="append", choices=LANGUAGES,
                       help="report language; repeat for several, built together after one "
                            "validation: en writes build/report.*, ru build/ru/report.*, kk "
                            "build/kk/report.* (default: en)")

    watch = commands.add_parser(
        "watch", help="rebuild the HTML report on every save and serve it on localhost",
        description="Build build/report.html, serve it on 127.0.0.1 and rebuild it whenever the "
                    "data, report.yml or a chapter changes; the page in the browser reloads by "
                    "itself. Only the HTML is rebuilt (run `kzunrest build` for the PDF).")
    watch.add_argument("--config", type=Path, default=None, help="as for build")
    watch.add_argument("--data-dir", type=Path, default=None, help="as for build")
    watch.add_argument("--output-dir", type=Path, default=None, help="as for build")
    watch.add_argument("--port", type=int, default=8000,
                       help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")

    datadict = commands.add_parser(
        "datadict", help="print the data dictionary (Markdown) generated from datapackage.json")
    datadict.add_argument("--data-dir", type=Path, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from . import kernels
    from .errors import ConfigError, DataError, KzunrestError  # cheap: no pandas yet

    kernels.skip_unused_imports()

    try:
        return _run(args)
    except DataError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s); nothing was built", file=sys.stderr)
        return 1
    except KzunrestError as error:
        print(f"error: {error}", file=sys.stderr)
        if args.command == "build" and not isinstance(error, ConfigError):  # nothing was started
            print("build stopped; the previous report is unchanged", file=sys.stderr)
        return 1
    except Exception as error:  # a bug: say what happened in one line; KZUNREST_DEBUG=1 for more
        if os.environ.get("KZUNREST_DEBUG"):
            raise
        from .publish import NO_SPACE, write_failure

        if isinstance(error, OSError) and error.errno in NO_SPACE:  # a full disk is no bug
            print(f"error: {write_failure(error.filename or 'the build folder', error)}",
                  file=sys.stderr)
            if args.command == "build":
                print("build stopped; the previous report is unchanged", file=sys.stderr)
            return 1
        print(f"internal error: {type(error).__name__}: {error} (run with KZUNREST_DEBUG=1 for the "
              "traceback, and please report it)", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "validate":
        return _validate(args.data_dir)
    if args.command == "datadict":
        from .datadict import data_dictionary

        print(data_dictionary(args.data_dir), end="")
        return 0
    from .build import Options, main_build

    if args.command == "watch":
        from .watch import watch

        return watch(Options(config=args.config, data_dir=args.data_dir,
                             output_dir=args.output_dir, pdf=False), port=args.port)
    return main_build(Options(config=args.config, data_dir=args.data_dir,
                              output_dir=args.output_dir, force=args.force,
                              jobs=args.jobs, pdf=args.pdf,
                              languages=tuple(args.languages or ("en",))))


def _validate(data_dir: Path | None) -> int:
    from .data import DataError, validate

    problems = validate(data_dir)
    if problems:
        raise DataError(problems)
    print("data package is valid")
    return 0


def run() -> None:  # pragma: no cover - the program itself
    """The ``kzunrest`` program (and ``python -m kzunrest.cli``): :func:`main`, then exit."""
    code = main()
    # The process ends here. The interpreter's last full garbage collection would walk everything a
    # build loaded (measured: 0.6 s); the system frees that memory anyway.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
