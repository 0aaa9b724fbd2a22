"""The message catalogue: every user-facing string, in Chinese (zh) and English (en)."""

from __future__ import annotations

from typing import Any

# key: (zh, en). Placeholders use str.format names and must match in both languages.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- general ---
    "error.generic": ("出错了。", "Something went wrong."),
    "error.prefix": ("错误：", "Error: "),
    "db.no_folder": ("数据库所在文件夹不存在：{path}", "The database folder does not exist: {path}"),
    "db.not_initialised": (
        "数据库尚未初始化，请先运行 moralbank init。",
        "The database is not initialised; run `moralbank init` first.",
    ),
    "db.unreachable": ("无法连接数据库：{reason}", "Cannot open the database: {reason}"),
    "operator.required": (
        "写入操作须注明经办人：使用 --operator 或设置 MORALBANK_OPERATOR。",
        "A write needs an operator: pass --operator or set MORALBANK_OPERATOR.",
    ),
    "lang.invalid": ("语言只能是 zh 或 en：{value}", "The language must be zh or en: {value}"),
    "format.invalid": (
        "不支持的输出格式 {value}；可选：{choices}",
        "Unsupported format {value}; choose one of: {choices}",
    ),
    "file.not_found": ("找不到文件：{path}", "File not found: {path}"),
    "file.write_failed": ("无法写入文件 {path}：{reason}", "Cannot write {path}: {reason}"),
    "value.yes": ("是", "yes"),
    "value.no": ("否", "no"),
    "value.kind.award": ("加分", "award"),
    "value.kind.deduction": ("扣分", "deduction"),
    "value.kind.reversal": ("冲正", "reversal"),
    "value.kind.redemption": ("兑换", "redemption"),
    # --- input sheets ---
    "sheet.rejected": (
        "{source}：发现 {count} 处问题，未写入任何数据。",
        "{source}: {count} problem(s) found; nothing was written.",
    ),
    "sheet.row_problem": ("第 {row} 行，字段 {field}：{reason}", "row {row}, field {field}: {reason}"),
    "sheet.item_problem": ("第 {row} 项，字段 {field}：{reason}", "item {row}, field {field}: {reason}"),
    "sheet.field_problem": ("字段 {field}：{reason}", "field {field}: {reason}"),
    "sheet.bad_type": (
        "不支持的表格类型：{path}（请使用 .csv 或 .xlsx）",
        "Unsupported sheet type: {path} (use .csv or .xlsx)",
    ),
    "sheet.unknown_column": ("第 {column} 列的列名无法识别", "column {column} has an unknown heading"),
    "sheet.missing_column": ("缺少必需的列", "a required column is missing"),
    "toml.invalid": ("{path} 不是有效的 TOML 文件：{reason}", "{path} is not valid TOML: {reason}"),
    "field.required": ("必填项为空", "is required"),
    "field.not_integer": ("“{value}”不是整数", "“{value}” is not a whole number"),
    "field.not_positive": ("{value} 须为正整数", "{value} must be a positive whole number"),
    "field.not_boolean": (
        "“{value}”不是是/否（可用 是/否、yes/no、true/false、1/0）",
        "“{value}” is not yes/no (use yes/no, true/false, 1/0, 是/否)",
    ),
    # --- dates ---
    "date.invalid": (
        "{field} 的日期“{value}”无效，应为 YYYY-MM-DD",
        "{field}: “{value}” is not a valid date (YYYY-MM-DD)",
    ),
    "date.invalid_value": ("日期“{value}”无效，应为 YYYY-MM-DD", "“{value}” is not a valid date (YYYY-MM-DD)"),
    "month.invalid": ("{field} 的月份“{value}”无效，应为 YYYY-MM", "{field}: “{value}” is not a valid month (YYYY-MM)"),
    "date.future": ("日期 {value} 晚于今天", "the date {value} is in the future"),
    "date.future_field": ("{field} 的日期 {value} 晚于今天", "{field}: the date {value} is in the future"),
    # --- identity ---
    "id.length": ("身份证号应为 18 位", "a resident ID number has 18 characters"),
    "id.chars": ("身份证号前 17 位须为数字，末位为数字或 X", "an ID number is 17 digits and a digit or X"),
    "id.birth_date": ("身份证号中的出生日期无效", "the birth date inside the ID number is not a real date"),
    "id.check_digit": ("身份证号校验位错误", "the ID number's check digit is wrong"),
    "phone.invalid": ("手机号应为 11 位、以 1 开头", "a mobile number has 11 digits starting with 1"),
    # --- register ---
    "village.exists": ("村编号 {code} 已存在", "village {code} already exists"),
    "village.not_found": ("找不到村 {code}", "no village {code}"),
    "village.added": ("已添加村 {code}。", "Village {code} added."),
    "villages.imported": ("已导入 {count} 个村。", "{count} village(s) imported."),
    "household.exists": ("户编号 {code} 已存在", "household {code} already exists"),
    "household.not_found": ("找不到农户 {code}", "no household {code}"),
    "household.id_taken": ("该身份证号已登记在另一户", "this ID number is already registered to another household"),
    "household.added": ("已添加农户 {code}。", "Household {code} added."),
    "households.imported": ("已导入 {count} 户。", "{count} household(s) imported."),
    # --- resolutions and standards ---
    "quorum.negative": ("人数不能为负，应到人数须大于零", "counts cannot be negative and members must be positive"),
    "quorum.present_exceeds": (
        "实到人数 {present} 超过应到人数 {members}",
        "present ({present}) exceeds members ({members})",
    ),
    "quorum.votes_exceed": (
        "赞成、反对、弃权合计超过实到人数 {present}",
        "for, against and abstain add up to more than the {present} present",
    ),
    "quorum.not_present": (
        "实到 {present} 人，未超过应到 {members} 人的三分之二，会议不能举行",
        "only {present} of {members} members present; more than two thirds must attend",
    ),
    "quorum.not_passed": (
        "赞成 {in_favour} 票，未超过实到 {present} 人的半数，决议未通过",
        "{in_favour} in favour of {present} present; more than half must vote for it",
    ),
    "standard.bad_points": (
        "分值“{value}”须为非零整数（扣分为负数）",
        "points “{value}” must be a non-zero whole number (negative for deductions)",
    ),
    "standard.before_resolution": ("生效日期早于决议日期 {date}", "takes effect before the resolution's date {date}"),
    "standard.ends_before_start": ("失效日期早于生效日期", "ends before it takes effect"),
    "standard.duplicate": ("同一决议中标准 {code} 重复", "standard {code} appears twice in this resolution"),
    "standard.not_after_previous": (
        "新版本须晚于现行版本的生效日期 {date} 生效",
        "a new version must take effect after the current version's {date}",
    ),
    "standard.not_found": ("找不到标准 {code}", "no standard {code}"),
    "standard.not_in_force": ("标准 {code} 在 {date} 不在有效期内", "standard {code} is not in force on {date}"),
    "standards.adopted": (
        "决议 #{id} 已记录，通过标准 {count} 项：{codes}",
        "Resolution #{id} recorded; {count} standard(s) adopted: {codes}",
    ),
    # --- decisions and the ledger ---
    "decision.booked_before_event": ("记账日期早于发生日期", "the booking date is before the event date"),
    "decision.over_cap": (
        "超过每月上限 {cap} 分（本月已得 {used} 分，本次 {points} 分）",
        "exceeds the monthly cap of {cap} (already {used} this month, this one {points})",
    ),
    "month.closed": (
        "{month} 的榜单已公布，该月已封账；请记入未封账的月份",
        "{month} is closed: its board is published; book into an open month",
    ),
    "key.conflict": ("幂等键 {key} 已用于内容不同的记录", "key {key} was already used for a different decision"),
    "key.conflict_field": (
        "幂等键 {key} 已用于另一条记录，字段 {field} 不同",
        "key {key} was already used for a different entry: {field} differs",
    ),
    "entry.not_found": ("找不到记录 #{id}", "no entry #{id}"),
    "entry.recorded": ("已记账，记录号 {id}", "Recorded as entry {id}"),
    "decisions.imported": (
        "已记账 {count} 条（重复提交 {repeated} 条未重复记账）。",
        "{count} entries recorded ({repeated} repeated rows were already recorded).",
    ),
    "reverse.no_reason": ("冲正须写明原因（--reason）", "a reversal needs a reason (--reason)"),
    "reverse.not_reversible": ("记录 #{id}（{kind}）不能冲正", "entry #{id} ({kind}) cannot be reversed"),
    "reverse.already": (
        "记录 #{id} 已被记录 #{by} 冲正，不能再次冲正",
        "entry #{id} was already reversed by entry #{by}",
    ),
    "redeem.not_positive": (
        "兑换的道德币须为正整数：{value}",
        "coins to redeem must be a positive whole number: {value}",
    ),
    "redeem.no_item": ("兑换须写明物品（--item）", "a redemption needs an item (--item)"),
    "redeem.insufficient": (
        "{household} 余额 {available} 币，不足兑换 {coins} 币",
        "{household} has {available} coins, not enough to redeem {coins}",
    ),
    # --- integrity ---
    "chain.gap": ("序号断档：应为 {expected}，实为 {found}", "sequence gap: expected {expected}, found {found}"),
    "chain.broken_link": ("与上一条记录的哈希链接断开", "the link to the previous entry's hash is broken"),
    "chain.bad_hash": ("记录内容与其哈希不符（已被改动）", "the entry's content does not match its hash (altered)"),
    "chain.bad_coins": (
        "记录的余额变动 {coins} 与转账不符（应为 {expected}）",
        "coin change {coins} does not match the transfer ({expected})",
    ),
    "chain.truncated": (
        "链尾缺失：检查点的第 {seq} 条记录已不存在",
        "tail cut: entry {seq} from the checkpoint is missing",
    ),
    "chain.checkpoint_mismatch": (
        "第 {seq} 条记录与检查点的哈希不符",
        "entry {seq} does not match the checkpoint's hash",
    ),
    "ledger.not_zero_sum": ("全部账户余额之和不为零：{total}", "all balances do not sum to zero: {total}"),
    "verify.problem": (
        "村 {village}，第 {seq} 条（记录 #{entry}）：{reason}",
        "village {village}, seq {seq} (entry #{entry}): {reason}",
    ),
    "verify.problem_global": ("{reason}", "{reason}"),
    "verify.ok": (
        "账本完整：{villages} 个村、{entries} 条记录，哈希链与检查点均无误，余额合计为零。",
        "Ledger intact: {villages} village(s), {entries} entries; chains and checkpoints match; balances sum to zero.",
    ),
    "verify.failed": ("账本校验失败，发现 {count} 处问题：", "Verification failed with {count} problem(s):"),
    "checkpoint.invalid": ("检查点文件 {path} 无效：{reason}", "The checkpoint file {path} is not valid: {reason}"),
    # --- commands ---
    "init.done": ("数据库已就绪：{db}", "Database ready: {db}"),
    "journal.written": ("已导出 {count} 笔交易到 {path}", "{count} transactions written to {path}"),
    "progress.reading": ("读取 {source}", "Reading {source}"),
    "progress.checking": ("校验 {source}", "Checking {source}"),
    "progress.writing": ("写入账本", "Writing the ledger"),
    "statement.title": ("{household} {name} 的存折", "Passbook of {household} {name}"),
    "statement.opening": ("期初余额：{coins} 币", "Opening balance: {coins} coins"),
    "statement.closing": ("期末余额：{coins} 币", "Closing balance: {coins} coins"),
    "balance.line": (
        "{household} {name}：道德币余额 {coins}，累计积分 {earned}",
        "{household} {name}: {coins} coins to spend, {earned} points earned",
    ),
    "demo.db": ("演示数据库：{db}", "Demo database: {db}"),
    "demo.register": ("户籍登记", "The register"),
    "demo.passbook": ("农户存折", "A household's passbook"),
    "demo.balances": ("余额（前十户）", "Balances (first ten households)"),
    "demo.done": (
        "演示完成。可用 --db {db} 继续查看，例如：moralbank --db {db} statement {household}",
        "Demo done. Explore further with --db {db}, e.g. moralbank --db {db} statement {household}",
    ),
    # --- PostgreSQL county server (issue 5) ---
    "db.contention": (
        "另一终端同时在写入，本次操作已整体撤销，请重试：{reason}",
        "Another terminal was writing at the same time; nothing was written, please try again: {reason}",
    ),
    "role.invalid": (
        "角色名“{role}”无效：只能用小写字母、数字和下划线，且不能以数字开头",
        "“{role}” is not a valid role name: use lower-case letters, digits and underscores, not starting with a digit",
    ),
    "role.postgresql_only": (
        "--app-role 只适用于 PostgreSQL（--db postgresql://...）；SQLite 没有数据库角色",
        "--app-role applies to PostgreSQL only (--db postgresql://...); SQLite has no database roles",
    ),
    "role.apply_needs_role": ("--apply 须与 --app-role 一起使用", "--apply needs --app-role"),
    "role.missing": (
        "数据库角色 {role} 不存在；请先由管理员创建：CREATE ROLE {role} LOGIN PASSWORD '...';",
        "The database role {role} does not exist; create it first: CREATE ROLE {role} LOGIN PASSWORD '...';",
    ),
    "role.owns_tables": (
        "角色 {role} 是数据表的所有者；应用须以另一个不拥有数据表的角色连接",
        "The role {role} owns the tables; the application must connect as another role that does not",
    ),
    "role.granted": (
        "已授予角色 {role}：只能查询和追加记录，不能修改、删除或清空账本",
        "Granted to {role}: read and append only; it cannot update, delete or truncate the ledger",
    ),
    "copy.same_database": ("源库与目标库是同一个数据库：{db}", "The source and the target are the same database: {db}"),
    "copy.source_broken": (
        "源库校验未通过，未复制任何数据：{reason}",
        "The source ledger fails verification; nothing was copied: {reason}",
    ),
    "copy.target_broken": (
        "复制后目标库校验未通过，已全部撤销：{reason}",
        "The target ledger fails verification after the copy; nothing was copied: {reason}",
    ),
    "copy.diverged": (
        "村 {village} 在目标库中的哈希链与源库在第 {seq} 条处不一致，未复制任何数据",
        "Village {village}: the target's chain differs from the source's at seq {seq}; nothing was copied",
    ),
    "copy.household_elsewhere": (
        "户 {code} 在目标库中属于村 {other}，而源库中属于村 {village}；未复制任何数据",
        "Household {code} belongs to village {other} on the target but to {village} in the source; nothing was copied",
    ),
    "copy.id_taken": (
        "户 {code} 的身份证号在目标库中已由户 {other} 登记；未复制任何数据",
        "The ID number of household {code} is already registered on the target for household {other}; nothing was copied",
    ),
    "copy.standard_differs": (
        "标准 {id} 在目标库中的内容与源库不同；未复制任何数据",
        "Standard {id} differs between the source and the target; nothing was copied",
    ),
    "copy.key_taken": (
        "村 {village} 的幂等键“{key}”在目标库中已被村 {other} 使用；未复制任何数据",
        "Key “{key}” of village {village} is already used on the target by village {other}; nothing was copied",
    ),
    "copy.row_differs": (
        "{table} 中的记录 {row} 在目标库中的内容与源库不同；未复制任何数据",
        "{table} row {row} differs between the source and the target; nothing was copied",
    ),
    "copy.done": (
        "已复制：{villages} 个村、{households} 户、{resolutions} 项决议、{standards} 条标准、{entries} 条记录、"
        "{boards} 份榜单、{exports} 条导出记录；两边的哈希链均已校验无误。",
        "Copied {villages} village(s), {households} household(s), {resolutions} resolution(s), "
        "{standards} standard(s), {entries} entries, {boards} board(s), {exports} export record(s); "
        "every chain verified on both sides.",
    ),
    "help.init_app_role": (
        "PostgreSQL：打印给应用角色的授权语句（只能查询和追加）",
        "PostgreSQL: print the grants for the application role (read and append only)",
    ),
    "help.init_apply": (
        "建库并直接执行授权（须以数据表所有者身份连接）",
        "Create the schema and apply the grants (connect as the tables' owner)",
    ),
    "help.copy": (
        "把村级 SQLite 账本复制到县级服务器（可重复运行，不会重复复制）",
        "Copy a village's SQLite ledger to the county server (running it twice copies nothing twice)",
    ),
    "help.copy_from": ("源 SQLite 文件", "The source SQLite file"),
    "help.copy_to": ("目标数据库（postgresql://...）", "The target database (postgresql://...)"),
    # --- column headings ---
    "col.code": ("编号", "Code"),
    "col.name": ("名称", "Name"),
    "col.town": ("镇街", "Town"),
    "col.county": ("县市区", "County"),
    "col.households": ("户数", "Households"),
    "col.village": ("村", "Village"),
    "col.head_name": ("户主", "Head"),
    "col.id_number": ("身份证号", "ID number"),
    "col.phone": ("电话", "Phone"),
    "col.members": ("人口", "Members"),
    "col.grid": ("网格", "Grid"),
    "col.address": ("地址", "Address"),
    "col.consent_board": ("同意公示", "Board consent"),
    "col.consent_bank": ("同意报送银行", "Bank consent"),
    "col.version": ("版本", "Version"),
    "col.scope": ("适用范围", "Scope"),
    "col.title": ("标准", "Standard"),
    "col.category": ("类别", "Category"),
    "col.points": ("分值", "Points"),
    "col.monthly_cap": ("每月上限", "Monthly cap"),
    "col.veto": ("一票否决", "Veto"),
    "col.effective_from": ("生效日期", "From"),
    "col.effective_to": ("失效日期", "To"),
    "col.resolution": ("决议", "Resolution"),
    "col.household": ("户编号", "Household"),
    "col.coins": ("道德币", "Coins"),
    "col.earned": ("积分", "Earned"),
    "col.as_of": ("截至", "As of"),
    "col.id": ("记录号", "Entry"),
    "col.seq": ("序号", "Seq"),
    "col.booked_on": ("记账日期", "Booked"),
    "col.event_date": ("发生日期", "Event"),
    "col.kind": ("类型", "Kind"),
    "col.standard": ("标准编号", "Std"),
    "col.qty": ("数量", "Qty"),
    "col.balance": ("余额", "Balance"),
    "col.operator": ("经办人", "Operator"),
    "col.note": ("备注", "Note"),
    "col.reverses": ("冲正记录", "Reverses"),
    "col.reversed_by": ("被冲正于", "Reversed by"),
    "col.hash": ("哈希", "Hash"),
    # --- help ---
    "help.app": (
        "道德银行：村级道德积分账本（议、评、晾、存、信）。",
        "moralbank: a village moral-credit points ledger.",
    ),
    "help.db": (
        "SQLite 文件路径或数据库 URL（默认 moralbank.db）",
        "SQLite path or database URL (default moralbank.db)",
    ),
    "help.lang": ("界面语言 zh 或 en", "Language: zh or en"),
    "help.operator": ("经办人姓名，记录在每次写入上", "Operator name, recorded on every write"),
    "help.format": ("输出格式", "Output format"),
    "help.version": ("显示版本号", "Show the version"),
    "help.init": ("按 schema.sql 建库（可重复运行）", "Create the schema from schema.sql (safe to run twice)"),
    "help.village": ("村登记", "Villages"),
    "help.village_add": ("添加一个村", "Add a village"),
    "help.village_list": ("列出全部村", "List villages"),
    "help.household": ("农户登记", "Households"),
    "help.household_add": ("添加一户", "Add a household"),
    "help.household_list": ("列出农户（身份证号、电话已脱敏）", "List households (ID and phone masked)"),
    "help.household_show": ("查看一户", "Show one household"),
    "help.import": ("导入表格（.csv 或 .xlsx）", "Import sheets (.csv or .xlsx)"),
    "help.import_villages": ("导入村名单", "Import a villages sheet"),
    "help.import_households": ("导入农户名单", "Import a households sheet"),
    "help.import_decisions": (
        "导入一次评议会的记分表（全部成功或全部不写入）",
        "Import a meeting's decisions sheet (all rows or none)",
    ),
    "help.standard": ("积分标准", "Standards"),
    "help.standard_adopt": ("按决议文件（TOML）通过标准", "Adopt standards from a resolution file (TOML)"),
    "help.standard_list": ("列出标准", "List standards"),
    "help.as_of": ("截至日期 YYYY-MM-DD", "As of date YYYY-MM-DD"),
    "help.award": ("按标准记分（加分或扣分）", "Record a point decision against a standard"),
    "help.qty": ("数量", "Quantity"),
    "help.on": ("发生日期（默认今天）", "Event date (default today)"),
    "help.booked": ("记账日期（默认今天）", "Booking date (default today)"),
    "help.note": ("备注", "Note"),
    "help.key": ("幂等键：重复提交不会重复记账", "Idempotency key: a retry never writes twice"),
    "help.reverse": ("冲正一条记录（须写明原因）", "Reverse an entry (with a reason)"),
    "help.reason": ("原因", "Reason"),
    "help.redeem": ("积分超市兑换", "Redeem coins at the points supermarket"),
    "help.item": ("兑换物品", "Item redeemed"),
    "help.balance": ("查询余额与累计积分", "Coin balance and earned points"),
    "help.statement": ("查看存折明细", "A household's passbook"),
    "help.from": ("起始日期", "From date"),
    "help.to": ("截止日期", "To date"),
    "help.verify": ("校验全部哈希链与余额", "Verify every hash chain and balance"),
    "help.checkpoint_file": (
        "已保存的检查点文件（JSON），用于发现链尾被截断",
        "A saved checkpoint file (JSON) to catch a cut tail",
    ),
    "help.checkpoint": ("显示各村哈希链检查点", "Show each village's chain checkpoint"),
    "help.export": ("导出", "Exports"),
    "help.export_journal": (
        "导出 hledger/ledger-cli 可读的记账日记账",
        "Export a journal that hledger and ledger-cli read",
    ),
    "help.out": ("输出文件", "Output file"),
    "help.demo": ("载入演示村数据并展示", "Load the demo village and show a tour"),
    "help.village_filter": ("只看某村", "Only this village"),
}


def text(key: str, lang: str, /, **params: Any) -> str:
    """The message for ``key`` in ``lang``, with its placeholders filled in."""
    zh, en = MESSAGES[key]
    template = zh if lang == "zh" else en
    return template.format(**params) if params else template
