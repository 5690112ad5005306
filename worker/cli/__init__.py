"""`leadrelay …` — the command line: one module per group of commands (route, worker, explain,
policy, sla, backfill, bestfit, report, titles, serve, demo), behind the root in `_app`, with
the option types they share in `_options`."""

from worker.cli._app import app

__all__ = ["app"]


def main() -> None:  # pragma: no cover
    app()
