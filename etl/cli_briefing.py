"""``python -m etl briefing``: the briefing pack (PPTX or PDF) from the command line.

The output format is the ``--out`` suffix, one of ``briefing.formats.PACK_FORMATS``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from briefing.formats import DEFAULT_PACK_FORMAT, PACK_FORMATS, suffix_list
from db.session import read_session
from etl.cli import EXIT_REJECTED, EXIT_USAGE, cli
from etl.cli_batches import open_engine


@cli.command()
@click.option("--years", required=True, metavar="A-B", help="Year range, e.g. 2016-2025.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Output file; its suffix is the format: {', '.join(f.suffix for f in PACK_FORMATS.values())}.",
)
@click.option(
    "--charts",
    default=None,
    metavar="ID,ID",
    help="Charts to include (default: the overview's headline charts plus one per "
    "category). --list-charts shows the ids.",
)
@click.option("--list-charts", is_flag=True, help="List the chart ids and exit.")
@click.option("--bureau", default=None, help="Bureau name on the title slide.")
@click.pass_context
def briefing(
    ctx: click.Context,
    years: str,
    out: Path | None,
    charts: str | None,
    list_charts: bool,
    bureau: str | None,
) -> None:
    """Write the briefing pack: title slide, one slide per chart, a summary table.

    \b
    Examples:
      python -m etl briefing --years 2016-2025 --out pack.pptx
      python -m etl briefing --years 2021-2025 --out pack.pdf --charts targets,change:safety
    Exit 0 written, 1 nothing to brief (no figures in those years), 2 usage error or
    export not possible on this machine (no Chromium / no Chinese font).
    \f
    Long because it is the command's whole conversation (list charts, parse years and chart
    names, refuse each bad option with its own exit code); the work is briefing.build_pack.
    """
    from briefing import render
    from briefing.charts import UnknownChartError, chart_catalogue
    from briefing.content import DEFAULT_BUREAU
    from briefing.pack import EmptyPackError, InvalidYearsError, build_pack, load_data, parse_years

    if out is None and not list_charts:
        raise click.UsageError(f"请用 --out 指定输出文件（{suffix_list(PACK_FORMATS)}）")
    fmt = out.suffix.lower().lstrip(".") if out is not None else DEFAULT_PACK_FORMAT
    if fmt not in PACK_FORMATS:
        raise click.UsageError(f"--out 必须以 {suffix_list(PACK_FORMATS)} 结尾（收到 {out})")
    try:
        span = parse_years(years)
    except InvalidYearsError as exc:
        raise click.UsageError(str(exc)) from None
    wanted = [c.strip() for c in charts.split(",") if c.strip()] if charts else None
    engine = open_engine(ctx)
    started = time.perf_counter()
    with read_session(engine) as session:
        progress = _ChartProgress(len(wanted) if wanted else None)
        try:
            if list_charts:
                for chart in chart_catalogue(load_data(session, span)):
                    click.echo(f"{chart.chart_id}\t{chart.title}")
                return
            data = build_pack(
                session,
                years=span,
                charts=wanted,
                fmt=fmt,
                bureau=bureau or DEFAULT_BUREAU,
                progress=progress,
            )
        except UnknownChartError as exc:
            raise click.UsageError(
                f"未知的图表：{exc}。可用的图表：python -m etl briefing --years {years} "
                "--list-charts"
            ) from None
        except render.ExportUnavailableError as exc:
            click.echo(f"无法导出：{exc}", err=True)
            raise SystemExit(EXIT_USAGE) from None
        except EmptyPackError as exc:
            click.echo(str(exc), err=True)
            raise SystemExit(EXIT_REJECTED) from None
        except render.RenderError as exc:
            click.echo(str(exc), err=True)
            raise SystemExit(EXIT_USAGE) from None
        finally:
            progress.close()
    assert out is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    seconds = time.perf_counter() - started
    click.echo(f"已生成简报 {out}（{len(data) / 1024:.0f} KB，用时 {seconds:.1f} 秒）", err=True)


class _ChartProgress:
    """One line per rendered chart on a terminal; silent otherwise (pipes, tests)."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.done = 0
        self.on = sys.stderr.isatty()

    def __call__(self, title: str) -> None:
        self.done += 1
        if self.on:
            of = f"/{self.total}" if self.total else ""
            click.echo(f"  渲染图表 {self.done}{of}：{title}", err=True)

    def close(self) -> None:
        pass
