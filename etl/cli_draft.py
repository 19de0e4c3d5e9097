"""``python -m etl draft``: next year's work report written from last year's, figures from the store.

Exit codes: 0 written, 1 the template states no figure the catalog knows (nothing is
written), 2 usage (no year, an output that is not .docx) or a template that cannot be
read.
"""

from __future__ import annotations

from pathlib import Path

import click

from db.models import CITY_WIDE
from db.session import read_session
from etl.cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, cli
from etl.cli_batches import open_engine
from etl.draft_job import KIND_LABELS, DraftFiles, NoKnownFigureError, build_draft, changes_csv
from etl.issues import UnreadableFileError


@cli.command("draft")
@click.option("--year", type=int, required=True, help="The year the draft reports on.")
@click.option(
    "--region", default=CITY_WIDE, show_default=True, help="Region whose figures it states."
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Last year's report (.docx, .txt, .pdf); default: the built-in template.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The draft to write (.docx); changed figures highlighted.",
)
@click.option(
    "--changes",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the change list (CSV, opens in Excel).",
)
@click.option(
    "--clean", is_flag=True, help="Also write a copy without highlights (NAME.clean.docx)."
)
@click.pass_context
def draft(
    ctx: click.Context,
    year: int,
    region: str,
    template: Path | None,
    out: Path,
    changes: Path | None,
    clean: bool,
) -> None:
    """Write a work report for YEAR from last year's, every figure from the store.

    \b
    Each figure sentence the report reader recognises gets the store's figure for the
    year and region, written as the template wrote it (万/亿, 余/约, 95.6%); the year in
    the opening line becomes YEAR; nothing else changes. Figures the store lacks stay X,
    highlighted and listed.
    Examples:
      python -m etl draft --year 2025 --out 2025年质量工作报告.docx
      python -m etl draft --year 2025 --template 2024年报告.docx --out 2025.docx --changes changes.csv --clean
    """
    if out.suffix.lower() != ".docx":
        click.echo(f"✘ 输出文件须为 .docx：{out.name} (--out must be a .docx file.)", err=True)
        ctx.exit(EXIT_USAGE)
    data = template.read_bytes() if template is not None else None
    engine = open_engine(ctx)
    with read_session(engine) as session:
        try:
            files = build_draft(session, year=year, region=region, template=data, clean=clean)
        except UnreadableFileError as exc:
            click.echo(f"✘ {template.name if template else ''}：{exc}", err=True)
            ctx.exit(EXIT_USAGE)
        except NoKnownFigureError as exc:
            click.echo(f"✘ {template.name if template else ''}：{exc}", err=True)
            ctx.exit(EXIT_REJECTED)
    out.write_bytes(files.docx)
    if files.clean is not None:
        out.with_name(out.stem + ".clean.docx").write_bytes(files.clean)
    if changes is not None:
        changes.write_bytes(changes_csv(files.changes))
    _echo_summary(files, out)
    ctx.exit(EXIT_OK)


def _echo_summary(files: DraftFiles, out: Path) -> None:
    d = files.draft
    written = sum(e.kind == "figure" for e in d.edits)
    click.echo(
        f"✔ 已写出 {out.name}：{d.year}年 {d.region}，{written} 个数值取自数据库，"
        f"{len(d.missing)} 个指标仍为 X"
    )
    table = files.changes
    for row in table[table["新写法"].str.contains("X")].itertuples(index=False):
        what = "仍为 X（缺数）" if row[5] == KIND_LABELS["missing"] else "同比/完成率仍为 X"
        click.echo(f"  {what}: {row[1]}（{row[2]}）「{row[0][:30]}」")
