"""``python -m etl report FILE``: read a narrative work report and load its figures.

The figures go through :func:`etl.pipeline.load_frame` as one batch, judged exactly like
a batch file (same validation, all or nothing), recorded as coming from the report.
Exit codes are those of ``load``: 0 loaded (or already loaded, or a clean dry run),
1 rejected by validation (including a report with no figure to load), 2 a file that is
not text or a report whose year cannot be told.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy.orm import Session

from db.catalog import Catalog, load_catalog
from db.models import CITY_WIDE
from db.session import write_session
from etl.cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, cli, cli_address, cli_user
from etl.cli_batches import echo_result, open_engine
from etl.issues import UnreadableFileError, error
from etl.load import Counts
from etl.pipeline import BatchResult, LoadOptions, load_frame
from etl.report import ReportExtraction, batch_sha256, extract_figures, to_frame
from etl.report_files import report_text
from texts import QUALIFIER_SYMBOLS


@cli.command("report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="The report's year (default: from its text).")
@click.option(
    "--region", default=CITY_WIDE, show_default=True, help="Region the figures belong to."
)
@click.option("--dry-run", is_flag=True, help="Extract and check, write nothing.")
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object: figures, missing, batch result."
)
@click.option("--user", default="", help="Who is loading (recorded on the batch).")
@click.pass_context
def report(
    ctx: click.Context,
    file: Path,
    year: int | None,
    region: str,
    dry_run: bool,
    as_json: bool,
    user: str,
) -> None:
    """Read a work report (.txt, damaged web copies too; .docx; PDF) and load its figures.

    \b
    The text is repaired first (pinyin in brackets dropped, 繁体 → 简体, mis-decoded list
    numbers mended), then every sentence stating a catalog indicator gives its figure in
    the indicator's unit. Figures still written as X are listed as missing.
    Examples:
      python -m etl report 2020年工作报告.txt --dry-run
      python -m etl report 2020年工作报告.txt --json
      python -m etl report 城东区报告.txt --year 2021 --region 城东区
    """
    data = file.read_bytes()
    try:
        text = report_text(data)
    except UnreadableFileError as exc:
        _fail(as_json, file.name, str(exc))
        ctx.exit(EXIT_USAGE)
    engine = open_engine(ctx)
    with write_session(engine) as session:
        catalog = load_catalog(session)
        extraction = extract_figures(text, catalog, year=year, region=region)
        if extraction.year is None:
            session.rollback()
            _fail(
                as_json,
                file.name,
                "报告中找不到年份（如「2020年，我局…」），请用 --year 指定。"
                " (No year in the report text: pass --year.)",
            )
            ctx.exit(EXIT_USAGE)
        result = _load(session, extraction, data, file.name, user, dry_run)
        if result.status == "loaded":
            session.commit()
        else:
            session.rollback()
    if as_json:
        click.echo(json.dumps({**result.as_dict(), **extraction.as_dict()}, ensure_ascii=False))
    else:
        _echo_extraction(extraction, catalog)
        echo_result(result)
    ctx.exit(EXIT_REJECTED if result.status == "rejected" else EXIT_OK)


def _load(
    session: Session,
    extraction: ReportExtraction,
    data: bytes,
    name: str,
    user: str,
    dry_run: bool,
) -> BatchResult:
    if not extraction.figures:
        missing = len(extraction.missing)
        return BatchResult(
            source_name=name,
            status="rejected",
            counts=Counts(read=0, counted=False),
            errors=[
                error(
                    "no_figures",
                    f"报告中没有可载入的数值（{missing} 个指标的数值仍写作 X）。"
                    f" (The report states no figure to load; {missing} are still X.)",
                )
            ],
        )
    frame = to_frame(extraction)
    options = LoadOptions(
        user=cli_user(user),
        address=cli_address(),
        dry_run=dry_run,
        default_year=extraction.year,
        default_region=extraction.region,
        source_kind="report",
    )
    return load_frame(
        session, frame, source_name=name, sha256=batch_sha256(data, frame), options=options
    )


def _fail(as_json: bool, name: str, message: str) -> None:
    if as_json:
        issue = error("unreadable_file", message)
        payload = {"file": name, "status": "unreadable", "errors": [issue.as_dict()]}
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        click.echo(f"✘ {name}：{message}", err=True)


def _echo_extraction(extraction: ReportExtraction, catalog: Catalog) -> None:
    source = "正文" if extraction.year_from_text else "--year"
    click.echo(
        f"年份 {extraction.year}（{source}） 地区 {extraction.region} — "
        f"识别出 {len(extraction.figures)} 个数值，{len(extraction.missing)} 个仍为 X"
    )
    for f in extraction.figures:
        spec = catalog.indicators[f.indicator_code]
        mark = QUALIFIER_SYMBOLS.get(f.qualifier or "", "")
        click.echo(
            f"  第 {f.line} 行  {spec.name_zh}（{f.indicator_code}）= {mark}{f.value:,.10g} "
            f"{f.unit}  「{f.written}」"
        )
    if extraction.missing:
        names = "、".join(catalog.indicators[c].name_zh for c in extraction.missing)
        click.echo(f"  仍为 X（缺数）: {names}")
