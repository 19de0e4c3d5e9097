"""Labels of the analysts' pages (upload, batches, catalog) and the login form, zh and en.

Kept apart from ``ui/i18n.py`` (the dashboard's labels) so the two parts can change
independently; same shape and same rule: a missing key raises at once. Messages that
come from the ETL (``Issue.message``) are data and stay as the ETL wrote them.
"""

from __future__ import annotations

import re
from typing import Any

from ui.i18n import LANGS

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")

TEXT: dict[str, tuple[str, str]] = {
    # login
    "login.title": ("登录", "Log in"),
    "login.hint": (
        "请使用管理员为您创建的账户登录。",
        "Use the account an administrator made for you.",
    ),
    "login.username": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("用户名或密码错误。", "Wrong user name or password."),
    "login.throttled": (
        "登录失败次数过多，请 {seconds} 秒后再试。",
        "Too many failed logins; try again in {seconds} s.",
    ),
    "login.oidc": ("使用单位账号登录（OIDC）", "Log in with your organisation account (OIDC)"),
    "login.oidc_unavailable": (
        "单点登录不可用：{reason}",
        "Single sign-on is unavailable: {reason}",
    ),
    "login.sidebar": ("统计员登录", "Analyst login"),
    "login.signed_in": ("已登录：{name}（{role}）", "Signed in: {name} ({role})"),
    "login.done": ("已登录。", "Signed in."),
    "login.logout": ("退出登录", "Log out"),
    "login.needs_role": (
        "此页面需要{role}权限，请先登录。",
        "This page needs the {role} role; please log in.",
    ),
    "login.refused": (
        "此页面需要{role}权限；当前账户（{current}）无权访问。",
        "This page needs the {role} role; your account ({current}) may not open it.",
    ),
    "role.viewer": ("浏览者", "viewer"),
    "role.analyst": ("统计员", "analyst"),
    "role.admin": ("管理员", "admin"),
    # upload
    "upload.title": ("数据上传", "Upload data"),
    "upload.intro": (
        "上传各部门报送的批次文件（CSV/TXT/XLSX/XLS，每个不超过 {mb} MB）。先检查预览与校验结果，"
        "确认无误后再点“提交入库”；有错误的文件不能提交，数据库保持不变。",
        "Upload the batch files departments sent (CSV/TXT/XLSX/XLS, up to {mb} MB each). Check "
        "the preview and the validation results, then press 'Commit'; a file with errors cannot "
        "be committed and the store stays as it was.",
    ),
    "upload.files": ("选择批次文件（可多选）", "Batch files (several at once)"),
    "upload.too_large": (
        "{file}：文件大小 {size:.1f} MB，超过上限 {mb} MB，未处理。",
        "{file}: {size:.1f} MB is over the {mb} MB limit; not processed.",
    ),
    "upload.status.dry_run": ("可以提交", "Ready to commit"),
    "upload.status.rejected": ("有错误，不能提交", "Has errors; cannot commit"),
    "upload.status.duplicate": (
        "该文件已由批次 #{batch} 入库，无需重复上传。",
        "This file is already loaded as batch #{batch}; nothing to do.",
    ),
    "upload.status.unreadable": ("文件无法读取", "File cannot be read"),
    "upload.status.loaded": (
        "已提交入库：批次 #{batch}（新增 {inserted}，更新 {updated}，不变 {unchanged}）。",
        "Committed as batch #{batch} ({inserted} inserted, {updated} updated, {unchanged} unchanged).",
    ),
    "upload.counts.read": ("读取行数", "Rows read"),
    "upload.counts.inserted": ("将新增", "Would insert"),
    "upload.counts.updated": ("将更新", "Would update"),
    "upload.counts.unchanged": ("不变", "Unchanged"),
    "upload.counts.errors": ("错误", "Errors"),
    "upload.counts.warnings": ("提醒", "Warnings"),
    "upload.preview": ("预览（标准化后的数据，共 {n} 条）", "Preview (normalised figures, {n})"),
    "upload.warnings": (
        "提醒（不影响提交，请核对）",
        "Warnings (do not block the commit; please check)",
    ),
    "upload.errors": (
        "错误（共 {n} 处，请在原文件中修改后重新上传）",
        "Errors ({n}; fix them in your file and upload again)",
    ),
    "upload.errors_download": ("下载错误清单（CSV）", "Download the error list (CSV)"),
    "upload.unknown_hint": (
        "若某个未识别的指标名称是部门对目录指标的习惯叫法，可在“指标目录”页把它添加为别名，之后的文件会自动识别。",
        "If an unknown indicator name is a department's own name for a catalog indicator, add it "
        "as an alias on the Catalog page; later files then map by themselves.",
    ),
    "upload.commit": ("提交入库", "Commit"),
    "upload.commit_failed": ("提交失败：{reason}", "Commit failed: {reason}"),
    "upload.sheet": ("工作表", "Sheet"),
    "upload.sheet_empty": ("（无数据）", " (no data)"),
    "upload.status.checked": (
        "校验通过；数据库正在写入其他批次，新增/更新数量将在下次刷新时计算。",
        "Checked; the store is busy writing another batch, so the insert/update counts follow "
        "on the next run.",
    ),
    "busy": (
        "数据库正忙（可能有人同时在提交），未做任何修改，请稍后再试。",
        "The database is busy (someone may be committing at the same time); nothing was changed, please try again.",
    ),
    "upload.template": ("下载填报模板", "Download a template"),
    "upload.template_help": (
        "模板使用目录中的标准指标名称与单位，前几行给出了数值的写法示例。长表：一行一个数据；宽表：一行一个指标、一列一个年份。",
        "Templates use the catalog's exact names and units; the first rows show how values may be "
        "written. Long: one figure a row. Wide: one indicator a row, one column a year.",
    ),
    "upload.template_long": ("长表模板", "Long layout"),
    "upload.template_wide": ("宽表模板", "Wide layout"),
    "upload.history_link": ("查看批次记录 / 回滚", "Batch history / rollback"),
    "col.row": ("行号", "Row"),
    "col.column": ("列", "Column"),
    "col.value_raw": ("原值", "Value"),
    "col.message": ("问题", "Problem"),
    "col.suggestions": ("是否指", "Did you mean"),
    "col.code": ("代码", "Code"),
    "col.indicator": ("指标", "Indicator"),
    "col.year": ("年份", "Year"),
    "col.region": ("地区", "Region"),
    "col.value": ("数值", "Value"),
    "col.qualifier": ("限定", "Qualifier"),
    "col.note": ("备注", "Note"),
    "col.target": ("目标值", "Target"),
    "col.kind": ("类型", "Kind"),
    "col.old_value": ("原值", "Before"),
    "col.new_value": ("新值", "After"),
    "col.change": ("变化", "Change"),
    "qualifier.more_than": ("≥ 余/多", "≥ more than"),
    "qualifier.about": ("≈ 约", "≈ about"),
    # batches
    "batches.title": ("批次记录", "Batch history"),
    "batches.empty": ("还没有任何批次。", "No batches yet."),
    "batches.id": ("批次", "Batch"),
    "batches.file": ("文件", "File"),
    "batches.kind": ("来源", "Source"),
    "batches.by": ("上传人", "Loaded by"),
    "batches.at": ("时间", "Loaded at"),
    "batches.read": ("读取", "Read"),
    "batches.inserted": ("新增", "Inserted"),
    "batches.updated": ("更新", "Updated"),
    "batches.unchanged": ("不变", "Unchanged"),
    "batches.skipped": ("跳过", "Skipped"),
    "batches.warnings": ("提醒", "Warnings"),
    "batches.status": ("状态", "Status"),
    "batches.active": ("有效", "active"),
    "batches.rolled_back": ("已回滚（{by} {at}）", "rolled back ({by} {at})"),
    "batches.kind.file": ("文件", "file"),
    "batches.kind.report": ("报告", "report"),
    "batches.kind.sample": ("示例数据", "sample data"),
    "batches.pick": ("查看批次", "Open batch"),
    "batches.figures": ("批次 #{batch} 写入的数据（{n} 条）", "Figures batch #{batch} set ({n})"),
    "batches.figures_download": ("下载该批次数据（CSV）", "Download these figures (CSV)"),
    "batches.no_figures": (
        "该批次没有新增或修改任何数据。",
        "This batch inserted or changed nothing.",
    ),
    "batches.rollback": ("回滚批次 #{batch}…", "Roll back batch #{batch}…"),
    "batches.confirm_text": (
        "回滚将恢复批次 #{batch} 修改前的全部数值，并删除它新增的数据。确定吗？",
        "Rolling back restores every value batch #{batch} changed and removes what it added. Sure?",
    ),
    "batches.confirm": ("确认回滚", "Yes, roll back"),
    "batches.cancel": ("取消", "Cancel"),
    "batches.rolled_back_ok": (
        "已回滚批次 #{batch}：恢复 {restored} 条，删除 {deleted} 条。",
        "Batch #{batch} rolled back: {restored} restored, {deleted} removed.",
    ),
    "batches.refused": ("不能回滚：{reason}", "Rollback refused: {reason}"),
    "batches.already": ("该批次已回滚。", "This batch has been rolled back."),
    "change.inserted": ("新增", "inserted"),
    "change.updated": ("修改", "changed"),
    "kind.observation": ("数据", "figure"),
    "kind.target": ("目标值", "target"),
    # catalog
    "catalog.title": ("指标目录", "Indicator catalog"),
    "catalog.intro": (
        "上传文件中的指标按代码、中文名、英文名或别名识别（不区分全角半角、空格与大小写）；"
        "工作报告中的数字还按报告表述识别。",
        "Indicators in files are matched by code, Chinese or English name or alias (ignoring "
        "full-/half-width, spaces and letter case); figures in work reports also by the "
        "report phrasings.",
    ),
    "catalog.category": ("类别", "Category"),
    "catalog.name_zh": ("中文名称", "Chinese name"),
    "catalog.name_en": ("英文名称", "English name"),
    "catalog.unit": ("单位", "Unit"),
    "catalog.aggregation": ("汇总", "Aggregation"),
    "catalog.direction": ("方向", "Direction"),
    "catalog.aliases": ("别名", "Aliases"),
    "catalog.phrasings": ("报告表述", "Report phrasings"),
    "catalog.active": ("启用", "Active"),
    "catalog.description": ("说明", "Description"),
    "catalog.add_alias": ("添加别名", "Add an alias"),
    "catalog.alias_indicator": ("指标", "Indicator"),
    "catalog.alias": ("别名（如部门的习惯叫法）", "Alias (e.g. a department's own name)"),
    "catalog.alias_submit": ("添加别名", "Add alias"),
    "catalog.alias_added": ("已添加别名“{alias}” → {name}", "Alias “{alias}” → {name} added"),
    "catalog.add_phrasing": ("添加报告表述", "Add a report phrasing"),
    "catalog.phrasing": (
        "报告表述（用 X 代表数字）",
        "Report phrasing (X stands for the figure)",
    ),
    "catalog.phrasing_help": (
        "工作报告中陈述该指标的原话，把数字换成 X，如“全年查处超限超载车辆X辆”“办结投诉X万余件”。"
        "之后识别报告时，这样写的句子会读出该指标的数字。",
        "The words a work report uses for this figure, with X in place of the number, e.g. "
        "“全年查处超限超载车辆X辆” or “办结投诉X万余件”. Reports read later take the figure "
        "from sentences written this way.",
    ),
    "catalog.phrasing_submit": ("添加表述", "Add phrasing"),
    "catalog.phrasing_added": (
        "已添加报告表述“{phrasing}” → {name}",
        "Report phrasing “{phrasing}” → {name} added",
    ),
    "catalog.phrasings_input": (
        "报告表述（可选，每行一条，用 X 代表数字）",
        "Report phrasings (optional, one a line, X for the figure)",
    ),
    "catalog.add_indicator": ("新增指标", "Add an indicator"),
    "catalog.code": (
        "代码（类别.英文名，如 safety.bridges_checked）",
        "Code (category.name, e.g. safety.bridges_checked)",
    ),
    "catalog.aliases_input": (
        "别名（可选，用逗号或顿号分隔）",
        "Aliases (optional, comma-separated)",
    ),
    "catalog.indicator_submit": ("新增指标", "Add indicator"),
    "catalog.indicator_added": ("已新增指标 {name}（{code}）", "Indicator {name} ({code}) added"),
    "catalog.refused": ("未保存：{reason}", "Not saved: {reason}"),
    "agg.sum": ("求和", "sum"),
    "agg.mean": ("平均", "mean"),
    "dir.up": ("越高越好", "higher is better"),
    "dir.down": ("越低越好", "lower is better"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # audit trail (admins)
    "audit.title": ("操作日志", "Audit trail"),
    "audit.caption": (
        "登录、上传、回滚、目录和账户修改的记录（谁、何时、做了什么、从哪里）；从不记录密码和文件内容。",
        "Logins, uploads, rollbacks, catalog and account changes (who, when, what, from where); "
        "never a password or a file's content.",
    ),
    "audit.empty": ("没有符合条件的记录。", "No matching events."),
    "audit.since": ("起始日期", "Since"),
    "audit.user": ("用户", "User"),
    "audit.action": ("操作", "Action"),
    "audit.all": ("全部", "All"),
    "audit.col.at": ("时间", "When"),
    "audit.col.target": ("对象", "What"),
    "audit.col.address": ("来源地址", "From"),
    "audit.col.detail": ("详情", "Detail"),
    "audit.action.login": ("登录", "Logged in"),
    "audit.action.login_failed": ("登录失败", "Failed login"),
    "audit.action.login_locked_out": ("账户被锁定", "Locked out"),
    "audit.action.batch_loaded": ("载入批次", "Batch loaded"),
    "audit.action.batch_rolled_back": ("回滚批次", "Batch rolled back"),
    "audit.action.catalog_edited": ("修改指标目录", "Catalog edited"),
    "audit.action.account_changed": ("修改账户", "Account changed"),
    "audit.action.store_restored": ("从备份恢复", "Store restored"),
    # 指标目录's three forms each choose an indicator: three labels a reader tells apart
    "catalog.phrasing_indicator": ("说法所属指标", "Indicator the phrasing names"),
    "catalog.years_indicator": ("设置适用年份的指标", "Indicator whose years to set"),
}


def at(key: str, lang: str = "zh", **values: Any) -> str:
    """The label ``key`` in ``lang`` with ``{placeholders}`` filled (``KeyError`` if missing)."""
    text = TEXT[key][LANGS.index(lang) if lang in LANGS else 0]
    return text.format(**values) if values else text


def md(text: object) -> str:
    """``text`` made inert for Streamlit's Markdown: no links, emphasis, HTML or ``:colour[]``.

    Every element that takes a label (``st.subheader``, ``st.error``, ``st.caption``…)
    reads Markdown, and file names, cell values and user names are not ours to format.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def atmd(key: str, lang: str = "zh", **values: Any) -> str:
    """:func:`at` for a Markdown context: every filled-in value goes through :func:`md`."""
    return at(key, lang, **{k: md(v) if isinstance(v, str) else v for k, v in values.items()})
