"""The message catalogue: every user-facing string, in Chinese (zh) and English (en)."""

from __future__ import annotations

from typing import Any

# key: (zh, en). Placeholders use str.format names and must match in both languages.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- general ---
    "error.generic": ("出错了。", "Something went wrong."),
    "error.prefix": ("错误：", "Error: "),
    "error.internal": (
        "内部错误：程序出了故障（不是您的操作有误），本次操作未完成。错误报告已保存到 {path}，请交给技术人员。",
        "Internal error: the program failed (not your input) and the operation did not complete. "
        "A report for the developers was saved to {path}.",
    ),
    "db.no_folder": ("数据库所在文件夹不存在：{path}", "The database folder does not exist: {path}"),
    "db.not_initialised": (
        "数据库尚未初始化，请先运行 moralbank init。",
        "The database is not initialised; run `moralbank init` first.",
    ),
    "db.missing_file": (
        "找不到数据库文件 {path}。请检查 --db 的拼写和所在文件夹；若要新建数据库，请运行 moralbank --db {path} init。",
        "There is no database file {path}. Check the spelling and folder of --db; to start a new database, run "
        "moralbank --db {path} init.",
    ),
    "db.is_folder": (
        "{path} 是文件夹，不是数据库文件；--db 应指向一个 .db 文件。",
        "{path} is a folder, not a database file; --db must name a .db file.",
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
    "tz.invalid": (
        "无法识别的时区：{value}（例如 Asia/Shanghai）",
        "Unknown timezone: {value} (e.g. Asia/Shanghai)",
    ),
    # --- schema versions, upgrade and backup (migrations) ---
    "schema.out_of_date": (
        "数据库 {db} 是旧版 moralbank 建的（结构版本 {found}），本程序（moralbank {release}）需要结构版本 {program}。"
        "请先升级数据库（会先自动备份）：{command}",
        "The database {db} was made by an older moralbank (schema version {found}); this moralbank ({release}) "
        "needs schema version {program}. Upgrade it first (a backup is made before): {command}",
    ),
    "schema.too_new": (
        "数据库 {db} 是更新版本的 moralbank 建的（结构版本 {found}），本程序（moralbank {release}）只支持到结构版本 {program}："
        "请升级 moralbank。",
        "The database {db} was made by a newer moralbank (schema version {found}); this moralbank ({release}) "
        "knows schema versions up to {program}: upgrade moralbank.",
    ),
    "schema.mismatch": (
        "数据库的表结构与本程序不符（{reason}）。旧版 moralbank 建的库请运行 moralbank upgrade；否则请从备份恢复。",
        "The database's tables do not match this moralbank ({reason}). If an older moralbank made it, run "
        "`moralbank upgrade`; otherwise restore it from a backup.",
    ),
    "schema.not_readable": (
        "当前数据库角色无权读取结构版本：请表的所有者运行 moralbank init --app-role <角色> --apply 重新授权",
        "The connected role may not read the schema version: the tables' owner should renew the grants with "
        "`moralbank init --app-role <role> --apply`",
    ),
    "upgrade.failed": (
        "升级步骤 {step} 失败，整个升级已撤销，数据库仍为结构版本 {found}：{reason}",
        "Upgrade step {step} failed; the whole upgrade was rolled back and the database is still at schema version "
        "{found}: {reason}",
    ),
    "upgrade.done": (
        "数据库 {db} 已从结构版本 {found} 升级到 {program}（{steps}）。",
        "Upgraded {db} from schema version {found} to {program} ({steps}).",
    ),
    "upgrade.backup": ("升级前的备份：{path}", "Backup of the database as it was: {path}"),
    "upgrade.current": (
        "数据库 {db} 已是最新结构版本 {program}，无需升级。",
        "{db} is already at the current schema version {program}; nothing to upgrade.",
    ),
    "upgrade.regrant": (
        "PostgreSQL：新表需要重新授权给应用角色：moralbank init --app-role <角色> --apply",
        "PostgreSQL: grant the application role the new tables too: moralbank init --app-role <role> --apply",
    ),
    "backup.write_failed": ("无法写入备份文件 {path}：{reason}", "Cannot write the backup {path}: {reason}"),
    "backup.exists": (
        "备份文件 {path} 已存在，不会覆盖：请换一个文件名",
        "{path} already exists and is never overwritten: choose a new file name",
    ),
    "backup.no_folder": ("备份所在文件夹不存在：{path}", "The backup's folder does not exist: {path}"),
    "backup.damaged": (
        "备份 {path} 未通过 SQLite 完整性检查：{reason}",
        "The backup {path} failed SQLite's integrity check: {reason}",
    ),
    "backup.chain_broken": (
        "备份 {path} 的账本校验未通过（村 {village}，第 {seq} 条）。原库有同样的问题：请运行 moralbank verify "
        "查看全部问题。该副本已保留，可作为核查的证据。",
        "The backup {path} does not verify (village {village}, seq {seq}). The database has the same problem: run "
        "`moralbank verify` to see every problem. The copy is kept as evidence.",
    ),
    "backup.done": (
        "已备份到 {path}（{entries} 条记录，校验无误）。各村检查点：",
        "Backed up to {path} ({entries} entries; the copy verifies). Checkpoints:",
    ),
    "backup.postgresql": (
        "PostgreSQL 数据库请用它自己的工具备份（需要时输入密码）：{dump}\n恢复到一个空数据库：{restore}",
        "Back up a PostgreSQL database with its own tools (give the password when asked): {dump}\n"
        "Restore into an empty database with: {restore}",
    ),
    "chain.unknown_format": (
        "记录 #{id} 的链格式 {format} 本程序不认识（由更新版本写入，或已被改动）",
        "entry #{id} has chain format {format}, which this moralbank does not know (written by a newer one, or altered)",
    ),
    "help.upgrade": (
        "把旧版建的数据库升级到当前结构（SQLite 先自动备份）",
        "Upgrade a database made by an older moralbank (SQLite: backed up first)",
    ),
    "help.backup": (
        "为正在使用的 SQLite 账本做一致的备份并校验",
        "Make a consistent, verified copy of a live SQLite ledger",
    ),
    "help.backup_out": ("备份文件（不得已存在）", "The backup file (must not exist yet)"),
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
    # --- input bounds, unreadable records, safe errors (robust) ---
    "date.out_of_range": (
        "{field} 的日期 {value} 超出允许范围（{earliest} 至 {latest}）",
        "{field}: the date {value} is outside {earliest} to {latest}",
    ),
    "date.out_of_range_value": (
        "日期 {value} 超出允许范围（{earliest} 至 {latest}）",
        "the date {value} is outside {earliest} to {latest}",
    ),
    "month.out_of_range": (
        "{field} 的月份 {value} 超出允许范围（{earliest} 至 {latest}）",
        "{field}: the month {value} is outside {earliest} to {latest}",
    ),
    "text.control_char": (
        "第 {position} 个字符是控制字符（{code}），不允许",
        "has a control character ({code}) at position {position}, which is not allowed",
    ),
    "text.too_long": (
        "长度为 {length} 个字符，最多 {limit} 个",
        "is {length} characters long; at most {limit} are allowed",
    ),
    "field.too_large": ("{value} 超过上限 {limit}", "{value} is more than the limit of {limit}"),
    "points.too_large": ("{value} 超出允许范围（绝对值最多 {limit}）", "{value} is beyond the limit of ±{limit}"),
    "board.snapshot_unreadable": (
        "榜单快照无法读取（已损坏或被改动）",
        "the stored snapshot cannot be read (damaged or altered)",
    ),
    "board.unreadable": (
        "第 {id} 号榜单（村 {village}，{month}）的快照无法读取，请运行 moralbank verify",
        "board #{id} (village {village}, {month}) cannot be read: its stored snapshot is damaged; run `moralbank verify`",
    ),
    "error.bad_message": (
        "出错了（提示信息 {key} 无法生成，请报告此问题）。",
        "Something went wrong (the message {key} could not be built; please report this).",
    ),
    # --- identity ---
    "id.length": ("身份证号应为 18 位", "a resident ID number has 18 characters"),
    "id.chars": ("身份证号前 17 位须为数字，末位为数字或 X", "an ID number is 17 digits and a digit or X"),
    "id.birth_date": ("身份证号中的出生日期无效", "the birth date inside the ID number is not a real date"),
    "id.check_digit": ("身份证号校验位错误", "the ID number's check digit is wrong"),
    "phone.invalid": ("手机号应为 11 位、以 1 开头", "a mobile number has 11 digits starting with 1"),
    # --- register ---
    "date.range_reversed": (
        "起始日期 {date_from} 晚于截止日期 {date_to}",
        "--from {date_from} is after --to {date_to}",
    ),
    "text.personal_number": (
        "不得含身份证号或手机号：备注会出现在存折、公示和导出中",
        "must not contain an ID or mobile number: notes appear on passbooks, notices and exports",
    ),
    "text.personal_number_field": (
        "{field} 不得含身份证号或手机号：该内容会出现在存折、公示和导出中",
        "{field} must not contain an ID or mobile number: it appears on passbooks, notices and exports",
    ),
    "code.invalid": (
        "编号“{value}”只能由字母、数字、-、_、. 组成（不含空格、冒号），最长 40 个字符",
        "code “{value}” may hold only letters, digits, -, _ and . (no spaces or colons), up to 40 characters",
    ),
    "village.exists": ("村编号 {code} 已存在", "village {code} already exists"),
    "village.not_found": ("找不到村 {code}", "no village {code}"),
    "village.added": ("已添加村 {code}。", "Village {code} added."),
    "villages.imported": ("已导入 {count} 个村。", "{count} village(s) imported."),
    "household.exists": ("户编号 {code} 已存在", "household {code} already exists"),
    "household.not_found": ("找不到农户 {code}", "no household {code}"),
    "household.id_taken": ("该身份证号已登记在另一户", "this ID number is already registered to another household"),
    "household.added": ("已添加农户 {code}。", "Household {code} added."),
    "households.imported": ("已导入 {count} 户。", "{count} household(s) imported."),
    # --- a clerk's real month: publishing rules, sheets as they come, nothing twice (issue 11) ---
    "board.month_not_ended": (
        "{month} 尚未结束，不能公布；月底过后（{first} 起）再公布",
        "{month} has not ended; publish it from {first}",
    ),
    "board.earlier_unpublished": (
        "{village} 村 {earlier} 有记录但榜单尚未公布；请先公布 {earlier}，或确需先公布 {month} 时加 --out-of-order",
        "village {village} has entries in {earlier} and its board is not published; publish {earlier} "
        "first, or add --out-of-order to publish {month} anyway",
    ),
    "board.summary": (
        "{village} 村 {month} 榜单：{households} 户上红榜，共 {points} 分；前三名：{top}；黑榜 {black} 户",
        "village {village}, {month}: {households} household(s) on the red list, {points} points; "
        "top three: {top}; black list: {black}",
    ),
    "board.confirm_publish": (
        "公布后 {month} 即封账，不能再记分、兑换或冲正。确认公布？",
        "Publishing closes {month}: nothing more can be booked into it. Publish?",
    ),
    "confirm.cancelled": ("已取消，未写入任何内容。", "Cancelled; nothing was written."),
    "help.out_of_order": (
        "允许在更早的月份尚未公布时公布本月",
        "Publish although an earlier month with entries is still unpublished",
    ),
    "help.yes": ("不再询问确认", "Do not ask for confirmation"),
    "sheet.unknown_column_of": (
        "第 {column} 列的列名无法识别；可用的列名：{accepted}",
        "column {column} has an unknown heading; the accepted headings are: {accepted}",
    ),
    "sheet.unsupported_type": (
        "不支持的表格类型：{path}（请使用 .csv、.xlsx、.xls 或 .ods）",
        "Unsupported sheet type: {path} (use .csv, .xlsx, .xls or .ods)",
    ),
    "sheet.no_header": (
        "{path} 的工作表（{names}）中都找不到表头行；表头须含这些列：{columns}",
        "no worksheet of {path} ({names}) has a header row; it must name these columns: {columns}",
    ),
    "sheet.no_such_worksheet": (
        "{path} 中没有名为“{name}”的工作表；现有：{names}",
        "{path} has no worksheet named “{name}”; it has: {names}",
    ),
    "sheet.no_worksheets_in_csv": (
        "{path} 是 CSV 文件，只有一张表，不能用 --sheet 选择",
        "{path} is a CSV file with one sheet; --sheet is for workbooks",
    ),
    "sheet.not_a_workbook": (
        "无法读取 {path}：不是有效的工作簿（请用 Excel 或 WPS 另存为 .xlsx）",
        "Cannot read {path}: not a valid workbook (save it again as .xlsx in Excel or WPS)",
    ),
    "household.id_as_number": (
        "身份证号被表格当成了数字（末几位已丢失）；请把该列设为“文本”格式后重新输入",
        "the ID number arrived as a number (a spreadsheet keeps only 15 digits of it); "
        "set the column to text and type it again",
    ),
    "household.not_found_near": (
        "找不到农户 {code}；是否要找：{suggestions}？",
        "no household {code}; did you mean {suggestions}?",
    ),
    "standard.not_found_near": (
        "找不到标准 {code}；是否要找：{suggestions}？",
        "no standard {code}; did you mean {suggestions}?",
    ),
    "code.lost_zeros": (
        "找不到 {code}——是否为 {suggestion}？表格把编号当成了数字，去掉了前面的 0；请把该列设为“文本”格式",
        "{code} — did you mean {suggestion}? The spreadsheet took the code for a number and dropped its "
        "leading zeros; set the column to text",
    ),
    "sheet.head_name_differs": (
        "户主姓名“{sheet}”与登记的 {code} 户主“{register}”不符（户编号是否填错？）",
        "the head name “{sheet}” is not that of {code} in the register (“{register}”); is the household code wrong?",
    ),
    "sheet.points_differ": (
        "分值 {sheet} 与标准 {code} 不符（每次 {points} 分，本行共 {total} 分）",
        "the points {sheet} do not match standard {code} ({points} per unit, {total} for this row)",
    ),
    "decision.likely_duplicate": (
        "与已记账的第 {id} 号记录相同（同一户、标准、发生日期和数量），疑似重复；确实发生了两次请加 --repeat",
        "the same as entry {id} already recorded (household, standard, event date and quantity): a likely "
        "duplicate; if it really happened twice, add --repeat",
    ),
    "decision.duplicate_row": (
        "与第 {row} 行相同（同一户、标准、发生日期和数量），疑似重复；确实发生了两次请加 --repeat",
        "the same as row {row} (household, standard, event date and quantity): a likely duplicate; "
        "if it really happened twice, add --repeat",
    ),
    "redeem.likely_duplicate": (
        "{household} 当天已兑换过“{item}”{coins} 币（第 {id} 号记录），疑似重复；确实兑换了两次请加 --repeat",
        "{household} already redeemed {coins} coins for “{item}” that day (entry {id}): a likely duplicate; "
        "if it really happened twice, add --repeat",
    ),
    "help.repeat": (
        "确实发生了两次（如同一天两次志愿服务）：不按疑似重复拒绝",
        "It really happened twice (e.g. two volunteer shifts on one day): do not refuse it as a likely duplicate",
    ),
    "import.same_file": (
        "{path} 已于 {at} 由 {operator} 导入过（第 {id} 号导入，文件名 {name}），未再写入；确需再次导入请加 --again",
        "{path} was already imported on {at} by {operator} (import #{id}, as {name}); nothing was written. "
        "To import it again anyway, add --again",
    ),
    "import.logged": (
        "本次为第 {id} 号导入（撤销：moralbank reverse --import {id} --reason 原因）",
        "Logged as import #{id} (to undo it: moralbank reverse --import {id} --reason TEXT)",
    ),
    "import.not_found": ("没有第 {id} 号导入", "there is no import #{id}"),
    "import.no_entries": (
        "第 {id} 号导入（{kind}）没有写入记账记录，无可冲正",
        "import #{id} ({kind}) wrote no ledger entries; there is nothing to reverse",
    ),
    "import.dry_run": (
        "试导入：未写入任何内容。正式导入将写入 {count} 条（另有 {repeated} 行已记过账）：",
        "Dry run: nothing was written. The import would write {count} entries ({repeated} rows already recorded):",
    ),
    "import.dry_run_village": (
        "  {village} 村：{entries} 条（拟记公示 {proposals} 条，直接入账 {postings} 条），"
        "加 {awarded} 分，扣 {deducted} 分，涉及 {households} 户",
        "  village {village}: {entries} entries ({proposals} proposals on notice, {postings} postings), "
        "{awarded} points awarded, {deducted} deducted, {households} households",
    ),
    "decisions.imported_on_notice": (
        "已记账 {count} 条，拟记公示 {proposals} 条（重复提交 {repeated} 条未重复记账）。",
        "{count} entries recorded and {proposals} proposals put on notice ({repeated} repeated rows were already recorded).",
    ),
    "decisions.on_notice": (
        "{village} 村的 {count} 条拟记积分公示至 {until}；期满无异议后运行 settle 入账",
        "village {village}: {count} proposal(s) on notice until {until}; settle posts them after that if unopposed",
    ),
    "help.again": ("同一文件确需再次导入时使用", "Import a file that was already imported"),
    "help.dry_run": (
        "只检查、显示将写入的内容，不写入",
        "Check everything and show what would be written; write nothing",
    ),
    "reverse.entry_or_import": (
        "请指定要冲正的记录号，或用 --import 指定一次导入（二者选一）",
        "Name the entry to reverse, or an import with --import (one of the two)",
    ),
    "reverse.shows": (
        "第 {id} 号记录（{kind}）：{household} {name}，{standard} {title}，{points} 分，发生 {event}，记账 {booked}",
        "entry {id} ({kind}): {household} {name}, {standard} {title}, {points} points, event {event}, booked {booked}",
    ),
    "reverse.confirm": (
        "冲正第 {id} 号记录？冲正记录将永久保留。",
        "Reverse entry {id}? The reversal is kept for good.",
    ),
    "reverse.confirm_import": (
        "冲正第 {id} 号导入写入的全部记录？冲正记录将永久保留。",
        "Reverse every entry of import #{id}? The reversals are kept for good.",
    ),
    "reverse.import_done": (
        "第 {id} 号导入：冲正 {reversed} 条，作废拟记 {voided} 条，{skipped} 条此前已冲正或作废",
        "import #{id}: {reversed} entries reversed, {voided} proposals voided, {skipped} already reversed or voided",
    ),
    "help.reverse_entry": ("要冲正的记录号", "The entry to reverse"),
    "help.reverse_import": (
        "冲正这次导入的全部记录（见 import list）",
        "Reverse every entry of this import (see import list)",
    ),
    "help.import_list": ("列出历次导入（文件、行数、经办人、时间）", "List the imports (file, rows, operator, time)"),
    "col.entries": ("记录数", "Entries"),
    "col.imported_at": ("导入时间", "Imported at"),
    "object.received_before": (
        "拟记 #{id} 记账于 {booked_on}，异议不可能早于此日收到",
        "proposal #{id} was booked on {booked_on}; an objection cannot have been received before that",
    ),
    "help.received": (
        "异议的收到日期（在公示期内收到、事后补录时填写）",
        "The day the objection was received (when it is entered after that day)",
    ),
    "standard.already_adopted": (
        "{path} 已经通过：即第 {id} 号决议（{held_on} {body}），未再写入。修订标准请写一份新的决议文件",
        "{path} is already adopted: it is resolution #{id} ({held_on}, {body}); nothing was written. "
        "To revise a standard, write a new resolution file",
    ),
    "entry.key_repeat": (
        "幂等键 {idem} 已用过：这是第 {id} 号记录的重复提交，未重复记账",
        "key {idem} was used before: a repeat of entry {id}; nothing new was written",
    ),
    "household.name_ambiguous": (
        "户主姓名“{name}”对应多户：{codes}；请改用户编号，或加 --village 指定村",
        "more than one household has the head name “{name}”: {codes}; use the household code, or --village",
    ),
    "help.household_find": (
        "按户编号、户主姓名、网格或地址查找农户",
        "Find households by code, head name, grid or address",
    ),
    "sheet.read_worksheet": ("读取工作表“{name}”", "reading worksheet “{name}”"),
    "sheet.skipped_title": ("已跳过第 {row} 行（标题）：{text}", "skipped row {row} (a title): {text}"),
    "sheet.skipped_footer": ("已跳过第 {row} 行（表尾）：{text}", "skipped row {row} (a footer): {text}"),
    "help.sheet": (
        "要读取的工作表名称（默认：第一张有表头的工作表）",
        "The worksheet to read (default: the first with a header row)",
    ),
    "date.unrecognised": (
        "{field} 的日期“{value}”无法识别：年份须写四位并放在前面，如 2026-11-03、2026/11/3 或 2026年11月3日",
        "{field}: “{value}” is not a date we can read; write the year first in four digits, "
        "e.g. 2026-11-03, 2026/11/3 or 2026年11月3日",
    ),
    "date.unrecognised_value": (
        "日期“{value}”无法识别：年份须写四位并放在前面，如 2026-11-03、2026/11/3 或 2026年11月3日",
        "“{value}” is not a date we can read; write the year first in four digits, e.g. 2026-11-03, "
        "2026/11/3 or 2026年11月3日",
    ),
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
    # --- printing: passbooks, wall notices and boards, spreadsheets, the county page (issue 13) ---
    "xlsx.needs_out": (
        "xlsx 格式须用 --out 指定输出文件。",
        "The xlsx format needs an output file: pass --out.",
    ),
    "print.page_label": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "value.kind.voided": ("拟记已作废", "proposal voided"),
    "col.summary": ("摘要", "Details"),
    "col.posted_on": ("入账日期", "Posted"),
    "col.proposal": ("拟记记录", "Proposal"),
    "passbook.title": ("{village}道德银行存折", "{village} moral bank passbook"),
    "passbook.holder": ("户主：{name}　户编号：{household}", "Head: {name}   Household: {household}"),
    "passbook.covers": ("期间：{period}", "Period: {period}"),
    "passbook.period": ("{lo}至{hi}", "{lo} to {hi}"),
    "passbook.all_time": ("全部记录", "every entry"),
    "passbook.first_day": ("开户", "the first entry"),
    "passbook.today": ("今天", "today"),
    "passbook.reverses": ("冲正第 {id} 笔：{reason}", "Reverses no. {id}: {reason}"),
    "passbook.reversed_by": ("（已由第 {id} 笔冲正）", " (reversed by no. {id})"),
    "passbook.earned": ("累计积分：{points} 分", "Earned points: {points}"),
    "passbook.no_lines": ("本期没有记录。", "No entries in this period."),
    "passbook.none": ("该村没有登记户。", "The village has no households."),
    "passbook.verify": (
        "核对码 {code}（{village} 村账链第 {seq} 笔，可在村委会用 moralbank verify 核对）",
        "Check code {code} (village {village}, chain entry {seq}; check with moralbank verify)",
    ),
    "passbook.printed_on": ("打印日期：{day}", "Printed {day}"),
    "passbook.sign_clerk": ("经办人（签字）：____________", "Clerk (signature): ____________"),
    "passbook.sign_holder": ("户主（签字）：____________", "Head of household (signature): ____________"),
    "passbook.written": ("已写入 {count} 户的存折：{path}", "Wrote the passbooks of {count} households to {path}"),
    "passbook.need_period": (
        "请用 --month 或 --from/--to 指定存折期间（二者只能选一）。",
        "Give the passbook's period with --month or with --from/--to (not both).",
    ),
    "help.passbook": ("打印全村每户的存折（每户一页 A4）", "Print every household's passbook (one A4 page each)"),
    "col.committee": ("村民委员会", "Committee"),
    "col.contact": ("异议联系人", "Contact for objections"),
    "col.row_no": ("序号", "No."),
    "help.committee": ("公示和榜单上署名的村民委员会名称", "The committee's name printed on notices and boards"),
    "help.contact": ("受理异议的联系人和电话（印在公示上）", "Who takes objections, and how (printed on the notice)"),
    "notice.default_committee": ("{name}村民委员会", "{name} villagers' committee"),
    "notice.wall_title": ("{name}{year}年{mon}月拟记积分公示", "{name}: proposed points on notice, {mon}/{year}"),
    "notice.posted": ("公示日期：{day}", "Posted {day}"),
    "notice.deadline": ("异议截止：{day}", "Objections until {day}"),
    "notice.contact": (
        "有异议的，请在截止日前向{committee}提出，联系人：{contact}。",
        "Objections to {committee} before the deadline; contact: {contact}.",
    ),
    "notice.contact_committee": (
        "有异议的，请在截止日前向{committee}提出。{contact}",
        "Objections to {committee} before the deadline.{contact}",
    ),
    "notice.stamp": ("{committee}（盖章）", "{committee} (stamp)"),
    "notice.sign_poster": ("公示人（签字）：____________", "Posted by (signature): ____________"),
    "notice.sign_checker": ("监督人（签字）：____________", "Checked by (signature): ____________"),
    "board.published_on": ("公布日期：{day}", "Published {day}"),
    "board.sign_head": ("负责人（签字）：____________", "Head of the committee (signature): ____________"),
    "board.short_code": ("核对码：", "Check code: "),
    "col.list": ("榜单", "List"),
    "board.red_sheet": ("红榜", "Red list"),
    "board.black_sheet": ("黑榜", "Black list"),
    "sheet.households": ("户籍名单", "Households"),
    "sheet.standards": ("行为标准", "Standards"),
    "sheet.ratings": ("文明信用户评定", "Credit ratings"),
    "sheet.summary": ("整村授信汇总", "Village credit"),
    "credit.county_line_in": (
        "全部 {villages} 个村：文明信用户 {rated} 户（占农户 {share}），授信总额 {amount} 元（{large}）",
        "All {villages} villages: {rated} credit households ({share} of households), {amount} yuan of credit ({large})",
    ),
    "credit.yi": ("{value} 亿元", "{value} × 100 million yuan, 亿元"),
    "credit.wan": ("{value} 万元", "{value} × 10,000 yuan, 万元"),
    "sheet.bank_list": ("文明信用户名单", "Credit households"),
    "bank.col.household": ("户编号", "Household"),
    "bank.col.village": ("村编号", "Village code"),
    "bank.col.village_name": ("村名", "Village"),
    "bank.col.head_name": ("户主姓名", "Head of household"),
    "bank.col.id_number": ("身份证号", "ID number"),
    "bank.col.tier": ("信用等级", "Tier"),
    "bank.col.credit_line": ("授信额度（元）", "Credit line (yuan)"),
    "bank.col.rated_on": ("评定日期", "Rated on"),
    "bank.col.valid_until": ("有效期至", "Valid until"),
    "bank.col.policy_hash": ("评定办法 SHA-256", "Policy SHA-256"),
    "trend.village_named": ("{name}（{village}）每月积分", "Monthly points of {name} ({village})"),
    "trend.household_in": ("{name} {household} 户每月积分", "Monthly points of household {household}, {name}"),
    "county.title": ("全县道德积分与文明信用概况（截至 {day}）", "County moral points and credit at a glance ({day})"),
    "county.chart_months": ("每月加分与扣分", "Points awarded and deducted per month"),
    "county.chart_categories": ("各类别积分", "Points by category"),
    "county.chart_share": ("各村文明信用户占比", "Share of rated households per village"),
    "county.chart_credit": ("各村授信（按信用等级）", "Credit by village and tier"),
    "county.chart_near": ("接近称号门槛的村", "Villages near a designation threshold"),
    "county.credit_bar": ("{amount} 元", "{amount} yuan"),
    "county.awarded": ("加分", "awarded"),
    "county.deducted": ("扣分", "deducted"),
    "county.none_near": ("没有接近门槛的村。", "No village is near a threshold."),
    "county.col_missing": ("还差信用户", "Rated households missing"),
    "county.fig_villages": ("村数", "Villages"),
    "county.fig_rated": ("文明信用户", "Credit households"),
    "county.fig_credit": ("授信总额", "Credit granted"),
    "county.written": ("已写入全县概况：{path}", "Wrote the county page to {path}"),
    "help.report_county": ("全县概况页面（图表，离线可看、可打印）", "The county page (charts; offline, printable)"),
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
    "demo.households": (
        "农户（前八户，身份证号与电话已脱敏）",
        "Households (first eight; ID numbers and phones masked)",
    ),
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
    "db.not_owner": (
        "只有数据表的所有者才能建库或升级：请以所有者角色连接（应用角色不能改动表结构）",
        "Only the owner of the tables may create or upgrade the schema: connect as the owner role "
        "(the application role cannot change tables)",
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
        "源库校验未通过（村 {village}，第 {seq} 条），未复制任何数据；可对源库运行 verify 查看详情",
        "The source ledger fails verification (village {village}, seq {seq}); nothing was copied. Run verify on it for details",
    ),
    "copy.target_broken": (
        "复制后目标库校验未通过（村 {village}，第 {seq} 条），已全部撤销；可对目标库运行 verify 查看详情",
        "The target ledger fails verification after the copy (village {village}, seq {seq}); nothing was copied. Run verify on it for details",
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
        "{boards} 份榜单、{exports} 条导出记录、{items} 个商品版本、{movements} 笔库存变动；两边的哈希链均已校验无误。",
        "Copied {villages} village(s), {households} household(s), {resolutions} resolution(s), "
        "{standards} standard(s), {entries} entries, {boards} board(s), {exports} export record(s), "
        "{items} catalogue item version(s), {movements} stock movement(s); "
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
    # --- publication: notice, boards, trend (issue 3) ---
    "value.kind.proposal": ("拟记", "proposed"),
    "value.kind.void": ("作废", "voided"),
    "entry.proposed": (
        "已拟记，记录号 {id}：公示期满且无异议后由 settle 入账（moralbank notice show 查看公示）",
        "Proposed as entry {id}: it posts with `settle` after its notice period if nobody objects (see `notice show`)",
    ),
    "redeem.reserved": (
        "{household} 余额 {balance} 币，其中 {reserved} 币被公示中的拟扣分冻结，不足兑换 {coins} 币",
        "{household} has {balance} coins, {reserved} of them held by proposed deductions on notice; "
        "not enough to redeem {coins}",
    ),
    "village.bad_notice_days": (
        "公示天数须为不小于 0 的整数：{value}",
        "notice days must be a whole number ≥ 0: {value}",
    ),
    "village.notice_pending": (
        "{village} 村还有 {count} 条拟记积分未入账或作废，暂不能修改公示天数",
        "village {village} has {count} proposal(s) not yet posted or voided; the notice period cannot change now",
    ),
    "village.nothing_to_set": (
        "请至少给出一项设置：--notice-days、--black-list 或 --maker-checker",
        "give at least one setting: --notice-days, --black-list or --maker-checker",
    ),
    "village.updated": ("已更新村 {code} 的设置。", "Settings of village {code} updated."),
    "object.no_reason": ("提出异议须写明理由（--reason）", "an objection needs a reason (--reason)"),
    "object.not_proposal": (
        "记录 #{id}（{kind}）不是拟记积分，不能提出异议；已入账的记录请用 reverse 冲正",
        "entry #{id} ({kind}) is not a proposal; an entry already posted is corrected with `reverse`",
    ),
    "object.resolved": (
        "拟记 #{id} 已处理（记录 #{by}），不能再提出异议",
        "proposal #{id} was already settled or voided (entry #{by})",
    ),
    "object.too_late": (
        "拟记 #{id} 的异议期已于 {last_day} 结束",
        "the objection period of proposal #{id} ended on {last_day}",
    ),
    "object.recorded": (
        "异议已记录：拟记 #{id} 作废（记录号 {void}），原因保留在账本中。",
        "Objection recorded: proposal #{id} is voided (entry {void}); the reason stays in the ledger.",
    ),
    "settle.maker_checker": (
        "{village} 村实行审核分离：到期的 {count} 条拟记均由 {operator} 提出，须由另一位经办人入账",
        "village {village} requires maker-checker: all {count} due proposal(s) were made by {operator}; "
        "another operator must settle them",
    ),
    "settle.done": (
        "已入账 {count} 条公示期满且无异议的拟记积分（截至 {as_of}）。",
        "{count} proposal(s) posted: their notice period ended by {as_of} without objection.",
    ),
    "settle.none": (
        "没有可入账的拟记积分：截至 {as_of} 没有公示期已满的拟记（{count} 条入账）。",
        "Nothing to post: no proposal's notice period had ended by {as_of} ({count} posted).",
    ),
    "settle.waiting": (
        "另有 {count} 条仍在公示期内，期满后再运行 settle。",
        "{count} more are still on notice; run settle again after their last day.",
    ),
    "settle.left": (
        "另有 {count} 条由你本人提出，须由另一位经办人入账（审核分离）。",
        "{count} more were proposed by you and must be settled by another operator (maker-checker).",
    ),
    "notice.title": ("{name}拟记积分公示", "{name}: proposed points on public notice"),
    "notice.how": (
        "公示期 {days} 天。对拟记积分有异议的，请在异议截止日期前向村民委员会提出；异议成立的，该条拟记作废。",
        "Notice period: {days} day(s). Objections go to the village committee by the last day shown; "
        "an upheld objection voids the proposal.",
    ),
    "notice.empty": ("目前没有公示中的拟记积分。", "No proposed points are on notice."),
    "board.title": ("{name}{year}年{mon}月道德积分榜", "{name} moral points board, {mon}/{year}"),
    "board.ranked_by": (
        "按当月记账积分排名；积分相同者名次并列，按户编号排列。",
        "Ranked by points booked in the month; equal points share a rank, listed by household code.",
    ),
    "board.red": ("红榜", "Red list"),
    "board.black": ("黑榜（当月扣分）", "Black list (deductions this month)"),
    "board.empty": ("本月无记录。", "Nothing booked this month."),
    "board.draft": ("草稿：尚未公布，数字可能变动。", "Draft: not published; the figures may still change."),
    "board.published_line": (
        "第 {id} 号榜单，{time}（{tz}）由 {operator} 公布；快照哈希 {hash}",
        "Board #{id}, published {time} ({tz}) by {operator}; snapshot hash {hash}",
    ),
    "board.checkpoint_line": (
        "检查点：{village} 村账本第 {seq} 条记录，哈希 {hash}",
        "Checkpoint: village {village}, ledger entry {seq}, hash {hash}",
    ),
    "board.verify_hint": (
        "核验方法：在村委会运行 moralbank verify（或 moralbank checkpoint），核对上列检查点与账本一致；"
        "verify 会用账本重新计算每份已公布的榜单。",
        "To verify: run `moralbank verify` (or `moralbank checkpoint`) at the village committee and compare "
        "the checkpoint above; verify recomputes every published board from the ledger.",
    ),
    "board.need_village": (
        "请用 --village 指定村，或用 --county 查看全部村",
        "give --village V, or --county for every village together",
    ),
    "board.top_positive": ("--top 须为正整数：{value}", "--top must be a positive whole number: {value}"),
    "board.not_found": ("找不到第 {id} 号榜单", "no published board #{id}"),
    "board.county_not_published": (
        "全县榜单不公布存档，请按村公布",
        "a county board is not published; publish each village's board",
    ),
    "board.future_month": ("{month} 尚未到来，不能公布", "{month} has not begun; it cannot be published"),
    "board.already_published": (
        "{village} 村 {month} 的榜单已公布（第 {id} 号），不能重复公布",
        "the {month} board of village {village} is already published (board #{id})",
    ),
    "board.pending": (
        "{village} 村 {month} 还有 {count} 条拟记积分未入账或作废；请先等公示期满并运行 settle",
        "village {village} still has {count} proposal(s) booked in {month}; settle them after their notice period first",
    ),
    "board.ledger_moved": (
        "公布期间 {village} 村账本有新记录，未公布；请重试",
        "the ledger of village {village} changed while publishing; nothing was published, try again",
    ),
    "board.published": (
        "已公布 {village} 村 {month} 榜单（第 {id} 号），该月已封账。检查点：第 {seq} 条；快照哈希 {hash}",
        "Published the {month} board of village {village} as board #{id}; the month is closed. "
        "Checkpoint: entry {seq}; snapshot hash {hash}",
    ),
    "board.snapshot_altered": (
        "榜单快照与其哈希或检查点不符（已被改动）",
        "the stored snapshot does not match its hash or checkpoint (altered)",
    ),
    "board.checkpoint_mismatch": (
        "榜单检查点（账本第 {seq} 条）与账本不符",
        "its checkpoint (ledger entry {seq}) no longer matches the ledger",
    ),
    "board.ledger_differs": (
        "账本与已公布榜单不符：{household} 公布为 {was} 分，按账本现为 {now} 分",
        "the ledger no longer matches it: {household} was published with {was} points, the ledger now gives {now}",
    ),
    "verify.problem_board": (
        "第 {board} 号榜单（村 {village}，{month}）：{reason}",
        "board #{board} (village {village}, {month}): {reason}",
    ),
    "verify.boards_ok": ("已公布榜单 {count} 份，均与账本一致。", "{count} published board(s) match the ledger."),
    "trend.title_village": ("{village} 村每月积分", "Monthly points of village {village}"),
    "trend.title_household": ("{household} 户每月积分", "Monthly points of household {household}"),
    "trend.title_all": ("各村每月积分", "Monthly points of every village"),
    "trend.months_positive": (
        "--months 须为 1 到 120 之间的整数：{value}",
        "--months must be between 1 and 120: {value}",
    ),
    "col.rank": ("名次", "Rank"),
    "col.board_points": ("积分", "Points"),
    "col.deducted": ("扣分", "Deducted"),
    "col.count": ("次数", "Times"),
    "col.items": ("扣分事项", "Items"),
    "col.last_day": ("异议截止", "Objections by"),
    "col.month": ("月份", "Month"),
    "col.board": ("榜单号", "Board"),
    "col.snapshot_hash": ("快照哈希", "Snapshot hash"),
    "col.published_at": ("公布时间", "Published"),
    "col.notice_days": ("公示天数", "Notice days"),
    "col.black_list": ("黑榜", "Black list"),
    "col.maker_checker": ("审核分离", "Maker-checker"),
    "help.board": ("月度积分榜（红榜、黑榜）", "Monthly ranking boards (red and black lists)"),
    "help.board_show": (
        "显示某村某月的积分榜（已公布的显示存档快照）",
        "Show a village's board for a month (the stored snapshot once published)",
    ),
    "help.board_publish": (
        "公布某村某月积分榜：保存不可更改的快照并封账该月",
        "Publish a village's board for a month: store an immutable snapshot and close the month",
    ),
    "help.board_list": ("列出已公布的榜单", "List published boards"),
    "help.board_get": ("查看一份已公布的榜单", "Show one published board"),
    "help.month": ("月份 YYYY-MM", "Month YYYY-MM"),
    "help.county": ("全部村合并排名（含村列）", "Every village ranked together (with a village column)"),
    "help.top": ("只显示前 N 名（并列者一并显示）", "Only ranks 1 to N (ties at N all shown)"),
    "help.notice": ("拟记积分公示", "Public notice of proposed points"),
    "help.notice_show": ("显示待公示的拟记积分", "Show the proposals on notice"),
    "help.object": ("对一条拟记积分提出异议（该条作废）", "Object to a proposal (voids it)"),
    "help.settle": (
        "将公示期满且无异议的拟记积分入账",
        "Post every proposal whose notice period ended without objection",
    ),
    "help.settle_as_of": (
        "按此日期判断公示期是否已满（默认今天）",
        "Judge notice periods as of this date (default today)",
    ),
    "help.village_set": ("修改村的公示与榜单设置", "Change a village's notice and board settings"),
    "help.notice_days": ("公示天数（0 表示直接入账）", "Notice days (0: decisions post at once)"),
    "help.black_list": ("是否公布黑榜 yes/no", "Publish a black list: yes/no"),
    "help.maker_checker": ("入账人不得为提出人 yes/no", "The settler must not be the proposer: yes/no"),
    "help.report": ("统计报表", "Reports"),
    "help.trend": ("每月积分趋势（终端条形图）", "Monthly points as terminal bars"),
    "help.months": ("显示的月数", "How many months"),
    "help.until": ("最后一个月 YYYY-MM（默认本月）", "The last month, YYYY-MM (default this month)"),
    "help.trend_household": ("只看某户", "Only this household"),
    # --- ledger core tests (issue 2) ---
    "verify.problem_seq": ("村 {village}，第 {seq} 条：{reason}", "village {village}, seq {seq}: {reason}"),
    # --- credit: ratings, village-wide figures, signed bank exports (issue 4) ---
    "credit.unknown_setting": ("不是可识别的设置项（请检查拼写）", "is not a known setting (check the spelling)"),
    "credit.not_text": ("“{value}”应为文字", "“{value}” should be text"),
    "credit.out_of_range": (
        "{value} 须为 {low} 到 {high} 之间的整数",
        "{value} must be a whole number from {low} to {high}",
    ),
    "credit.tiers_required": ("至少需要一个档次 [[tiers]]", "at least one tier ([[tiers]]) is needed"),
    "credit.duplicate_code": ("编号 {code} 重复", "the code {code} is used twice"),
    "credit.tier_order": (
        "档次须按积分由高到低排列：{value} 不低于上一档的 {previous}",
        "tiers go from most points to fewest: {value} is not below the previous tier's {previous}",
    ),
    "credit.line_order": (
        "本档额度最高可达 {reach} 元，超过上一档 {code} 的 {line} 元：积分更多不能额度更低",
        "this tier reaches {reach} yuan, more than tier {code}'s {line}: more points must never mean less credit",
    ),
    "credit.step_pair": (
        "step_points 与 step_credit 须同时设置",
        "step_points and step_credit go together; this one is missing",
    ),
    "credit.max_needs_step": (
        "max_credit 只在设置了 step_points 和 step_credit 时有意义",
        "max_credit only applies with step_points and step_credit",
    ),
    "credit.max_below_line": ("上限 {value} 低于基础额度 {line}", "the cap {value} is below the credit line {line}"),
    "credit.unknown_tier": ("没有编号为 {code} 的档次", "there is no tier {code}"),
    "credit.reason.veto": ("一票否决：{standard} 扣分（记录 #{entry}）", "veto: {standard} deduction (entry #{entry})"),
    "credit.reason.too_new": ("在册时间不足（自 {since} 起）", "not long enough on the register (since {since})"),
    "credit.reason.below_minimum": ("积分未达最低档", "points below the lowest tier"),
    "value.designation.model": ("样板村", "model village"),
    "value.designation.benchmark": ("标杆村", "benchmark village"),
    "value.designation.credit": ("信用村", "credit village"),
    "credit.rate_title": ("文明信用户评定（截至 {as_of}）", "Civilised-credit ratings as of {as_of}"),
    "credit.policy_line": (
        "评定政策：{name}（SHA-256 {hash}）；计分区间 {lo} 至 {hi}",
        "Policy: {name} (SHA-256 {hash}); points booked {lo} to {hi}",
    ),
    "credit.none_listed": ("计分区间内没有农户获得或被扣积分。", "No household gained or lost points in the window."),
    "credit.listed": (
        "列出 {count} 户：评定 {rated} 户，授信合计 {amount} 元。",
        "{count} household(s) listed: {rated} rated, {amount} yuan of credit in all.",
    ),
    "credit.summary_title": ("整村授信汇总（截至 {as_of}）", "Village-wide credit as of {as_of}"),
    "credit.total_label": ("合计", "Total"),
    "credit.county_line": (
        "全部 {villages} 个村：文明信用户 {rated} 户（占农户 {share}），授信总额 {amount} 元（{yi} 亿元）",
        "All {villages} villages: {rated} credit households ({share} of households), {amount} yuan of credit "
        "({yi} × 100 million yuan, 亿元)",
    ),
    "credit.designations_line": ("称号：{list}", "Designations: {list}"),
    "credit.designation_count": ("{name} {count} 个", "{count} {name}(s)"),
    "credit.summary_policy": ("评定政策：{name}（SHA-256 {hash}）", "Policy: {name} (SHA-256 {hash})"),
    "credit.explain_title": (
        "{household} {name}（{village}）截至 {as_of} 的评定",
        "Rating of {household} {name} ({village}) as of {as_of}",
    ),
    "credit.explain_rated": (
        "结果：{tier} 级，授信额度 {line} 元，有效期至 {until}",
        "Result: tier {tier}, credit line {line} yuan, valid until {until}",
    ),
    "credit.explain_not_rated": ("结果：不予评定——{reason}", "Result: not rated — {reason}"),
    "credit.explain_points": (
        "计分区间 {lo} 至 {hi} 的累计积分：{points}（{count} 笔记录）",
        "Earned points booked {lo} to {hi}: {points} ({count} entries)",
    ),
    "credit.explain_register": (
        "在册（登记或首笔记账）自 {since} 起，满 {months} 个月；政策要求至少 {needed} 个月",
        "On the register (or in the ledger) since {since}: {months} full month(s); the policy needs {needed}",
    ),
    "credit.explain_veto": (
        "一票否决：记录 #{id}（{booked_on} 记账，{standard} {title}，{earned} 分）；否决期自 {lo} 起，未冲正",
        "Veto: entry #{id} (booked {booked_on}, {standard} {title}, {earned} points), in the veto period from {lo}, not reversed",
    ),
    "credit.explain_no_veto": (
        "否决期（自 {lo} 起）内没有未冲正的一票否决扣分",
        "No unreversed veto deduction booked in the veto period (from {lo})",
    ),
    "credit.entries_title": ("计入评定的记录", "Entries that count"),
    "credit.thresholds_title": ("档次标准", "Tiers"),
    "credit.step_rule": (
        "每多 {points} 分加 {credit} 元，最高 {cap} 元",
        "+{credit} yuan per further {points} points, up to {cap}",
    ),
    "credit.no_cap": ("不设上限", "no cap"),
    "credit.bank_required": ("须用 --bank 写明接收名单的银行", "Name the bank receiving the list with --bank"),
    "credit.exported": (
        "已导出 {rows} 户至 {path}（{format}），签名文件 {sig}；导出记录 #{id}",
        "Exported {rows} households to {path} ({format}), signature {sig}; export log #{id}",
    ),
    "credit.full_id_warning": (
        "注意：该文件含完整身份证号，仅限 {bank} 使用，请加密传送并妥善保管。",
        "Note: this file holds full ID numbers, for {bank} only; send it encrypted and keep it safe.",
    ),
    "credit.no_exports": ("尚无导出记录。", "No exports yet."),
    "keys.exist": ("{path} 已存在，不会覆盖", "{path} already exists; it is never overwritten"),
    "keys.not_private": ("{path} 不是 Ed25519 私钥（PEM 格式）", "{path} is not an Ed25519 private key (PEM)"),
    "keys.not_public": ("{path} 不是 Ed25519 公钥（PEM 格式）", "{path} is not an Ed25519 public key (PEM)"),
    "keys.generated": (
        "已生成签名密钥。私钥：{private}（仅本人可读，请离线妥善保管）；公钥：{public}（交给银行）；指纹 {key_id}",
        "Signing keys generated. Private key: {private} (owner-only; keep it offline and safe); "
        "public key: {public} (give it to the banks); fingerprint {key_id}",
    ),
    "credit_verify.signature_unreadable": (
        "签名文件 {path} 无法读取或已损坏",
        "The signature file {path} cannot be read or is damaged",
    ),
    "credit_verify.wrong_key": (
        "签名不是由该公钥对应的私钥做出的（签名密钥指纹 {signed}…，所给公钥 {given}…）：公钥不对，或文件并非本办公室签发",
        "The signature was not made with this public key's private key (signed by {signed}…, "
        "given {given}…): wrong key, or not issued by this office",
    ),
    "credit_verify.bad_signature": (
        "签名与签名文件中的内容不符：签名文件被改动过",
        "The signature does not match the signed fields: the signature file was altered",
    ),
    "credit_verify.unreadable": (
        "文件无法作为 {format} 信用户名单读取：文件被改动或损坏",
        "The file cannot be read as a {format} credit list: it was changed or damaged",
    ),
    "credit_verify.row_count": (
        "文件有 {found} 户记录，签名时为 {signed} 户：有记录被删除或添加",
        "The file has {found} row(s), the signature says {signed}: rows were dropped or added",
    ),
    "credit_verify.other_export": (
        "这是另一份导出（评定日期 {found}），签名对应 {signed} 的导出：文件被调换",
        "This is another export (rated on {found}); the signature is for the export as of {signed}: the file was swapped",
    ),
    "credit_verify.changed": (
        "文件内容与签名时不同（SHA-256 不符）：有字节被改动，或换成了另一份文件",
        "The file differs from the one signed (SHA-256 mismatch): a byte was changed, or it is another file",
    ),
    "credit_verify.ok": (
        "验证通过：{file} 与签名一致，未被改动。",
        "Verified: {file} matches its signature and is unaltered.",
    ),
    "credit_verify.ok_rows": (
        "{rows} 户，评定日期 {as_of}，报送 {bank}，{ids}",
        "{rows} households, rated as of {as_of}, for {bank}; {ids}",
    ),
    "credit_verify.ok_full_id": ("含完整身份证号", "with full ID numbers"),
    "credit_verify.ok_masked": ("身份证号已脱敏", "ID numbers masked"),
    "credit_verify.ok_policy": ("评定政策 SHA-256：{hash}", "Policy SHA-256: {hash}"),
    "credit_verify.ok_key": (
        "签名密钥指纹：{key}；签名时间（UTC）：{at}",
        "Signing key fingerprint: {key}; signed at (UTC): {at}",
    ),
    "credit_verify.ok_checkpoint": (
        "台账检查点：{village} 序号 {seq} 哈希 {hash}",
        "Ledger checkpoint: {village} seq {seq} hash {hash}",
    ),
    "credit_verify.ok_sha": ("文件 SHA-256：{sha}", "File SHA-256: {sha}"),
    "col.tier": ("档次", "Tier"),
    "col.credit_line": ("授信额度（元）", "Credit line (yuan)"),
    "col.valid_until": ("有效期至", "Valid until"),
    "col.reason": ("未评定原因", "Not rated because"),
    "col.rated": ("信用户", "Rated"),
    "col.share": ("占比", "Share"),
    "col.credit_total": ("授信总额（元）", "Credit (yuan)"),
    "col.vetoed": ("否决户", "Vetoed"),
    "col.designation": ("称号", "Designation"),
    "col.exported_at": ("导出时间（UTC）", "Exported (UTC)"),
    "col.bank": ("银行", "Bank"),
    "col.format": ("格式", "Format"),
    "col.rows": ("户数", "Rows"),
    "col.full_id": ("完整身份证号", "Full ID"),
    "col.file": ("文件", "File"),
    "col.sha256": ("文件 SHA-256", "File SHA-256"),
    "col.policy_hash": ("政策 SHA-256", "Policy SHA-256"),
    "col.key": ("签名密钥", "Key"),
    "col.min_points": ("最低积分", "Min points"),
    "col.step": ("递增规则", "Steps"),
    "col.reached": ("已达到", "Reached"),
    "help.credit": ("文明信用户评定、整村授信与银行名单", "Credit ratings, village-wide figures and bank lists"),
    "help.credit_rate": (
        "按政策评定区间内有积分的农户：档次、授信额度或未评定原因",
        "Rate every household with points in the window: tier, credit line, or why not rated",
    ),
    "help.credit_explain": ("说明一户的评定依据：计入的记录、档次标准、否决记录", "Why a household has its tier"),
    "help.credit_summary": (
        "各村户数、信用户、占比、各档户数、授信总额、称号，及全县合计",
        "Per village and county: households, rated, share, tiers, credit, designation",
    ),
    "help.credit_export": (
        "为一家银行导出已同意报送的信用户名单，并附 Ed25519 签名",
        "Export the consenting credit households for one bank, signed (Ed25519)",
    ),
    "help.credit_exports": ("列出导出记录", "List the export log"),
    "help.credit_verify": (
        "（银行使用）用公钥验证名单文件与签名：一致返回 0，否则返回 1 并说明问题",
        "(For banks) verify a list and its signature with the public key: exit 0, or 1 naming the problem",
    ),
    "help.keys": ("签名密钥", "Signing keys"),
    "help.keys_generate": ("生成签名办公室的 Ed25519 密钥对", "Generate the signing office's Ed25519 key pair"),
    "help.keys_out": ("密钥存放文件夹", "Folder for the keys"),
    "help.policy": (
        "评定政策文件（TOML），默认随软件提供的示例政策",
        "Credit policy file (TOML); default the packaged one",
    ),
    "help.as_of_required": ("评定日期 YYYY-MM-DD", "Rating date YYYY-MM-DD"),
    "help.bank": ("接收名单的银行", "The bank receiving the list"),
    "help.signing_key": ("签名私钥文件（PEM）", "Signing private key (PEM)"),
    "help.full_id": (
        "输出完整身份证号（仅限已同意报送的农户、写明的银行）",
        "Full ID numbers (consenting households, for the named bank only)",
    ),
    "help.public_key": ("签名办公室的公钥文件（PEM）", "The signing office's public key (PEM)"),
    "help.signature": ("签名文件（默认 FILE.sig）", "Signature file (default FILE.sig)"),
    "help.export_out": ("导出文件", "Export file"),
    # --- review fixes ---
    "db.bad_url": (
        "无法识别的数据库地址（--db 应为 SQLite 文件路径或 postgresql:// 地址）",
        "Unrecognised database address (--db takes a SQLite file path or a postgresql:// URL)",
    ),
    "db.not_sqlite": (
        "--db 指向的文件不是 SQLite 数据库，请检查路径",
        "The file named by --db is not a SQLite database; check the path",
    ),
    "sheet.not_workbook": (
        "无法读取 {path}：不是有效的 .xlsx 工作簿（请用 Excel 或 WPS 另存为 .xlsx）",
        "Cannot read {path}: not a valid .xlsx workbook (save it again as .xlsx in Excel or WPS)",
    ),
    "sheet.bad_encoding": (
        "无法识别 {path} 的编码（请另存为 UTF-8 或 GBK 编码的 CSV）",
        "Cannot tell the encoding of {path} (save it as CSV in UTF-8 or GBK)",
    ),
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
    # --- the points supermarket (积分超市) and the village year (issue 14) ---
    "value.kind.clearing": ("年底清零", "year-end clearing"),
    "value.kind.base_score": ("年度基础分", "base score"),
    "item.bad_code": (
        "商品编号 {value} 无效：只能用字母、数字、- 和 _，不超过 32 个字符",
        "Item code {value} is not valid: letters, digits, - and _ only, at most 32 characters",
    ),
    "item.no_name": ("商品名称不能为空（--name）", "The item needs a name (--name)"),
    "item.bad_price": (
        "价格须为正整数个道德币：{value}",
        "The price must be a positive whole number of coins: {value}",
    ),
    "item.bad_low_stock": ("库存预警数不能为负数：{value}", "The low-stock mark cannot be negative: {value}"),
    "item.exists": (
        "商品 {code} 已在目录 {scope} 中（改价请用 shop item price）",
        "Item {code} is already in catalogue {scope} (use shop item price to change its price)",
    ),
    "item.not_found": ("商品目录中没有 {code}", "No item {code} in the catalogue"),
    "item.other_village": (
        "商品 {code} 不在 {village} 村或全县的商品目录中（属于其他村）",
        "Item {code} is not in the catalogue of village {village} or the county (it belongs to another village)",
    ),
    "item.ambiguous": (
        "商品 {code} 同时在多个目录中（{scopes}），请用 --village 指明",
        "Item {code} is in several catalogues ({scopes}); name one with --village",
    ),
    "item.retired": ("商品 {code} 已下架", "Item {code} is retired"),
    "item.not_in_force": ("商品 {code} 在 {date} 尚未上架", "Item {code} is not in the catalogue on {date}"),
    "item.redeemed_since": (
        "商品 {code} 在 {last} 已有兑换，不能从 {date} 起改价或下架（请从之后的日期起）",
        "Item {code} was redeemed on {last}: its price cannot change (nor the item retire) from {date}; "
        "choose a later date",
    ),
    "stock.not_positive": (
        "入库数量须为正整数：{value}",
        "The quantity received must be a positive whole number: {value}",
    ),
    "stock.no_source": ("请写明来源（--source，如 采购、某某捐赠）", "Say where the goods came from (--source)"),
    "stock.negative_count": ("盘点数不能为负数：{value}", "The count cannot be negative: {value}"),
    "stock.no_reason": ("盘点须写明原因（--reason）", "A stocktake needs a reason (--reason)"),
    "stock.bad_value": (
        "金额 {value} 无效：请写元，最多两位小数（如 12.50）",
        "The value {value} is not valid: yuan with at most two decimals (e.g. 12.50)",
    ),
    "shop.insufficient": (
        "道德币不足：需要 {coins}，可用 {available}",
        "not enough coins: {coins} needed, {available} available",
    ),
    "shop.out_of_stock": ("商品 {code} 库存不足：现有 {stock}", "not enough {code} in stock: {stock} left"),
    "shop.below_minimum": (
        "余额 {balance} 低于本村兑换起点 {minimum} 个道德币",
        "a balance of {balance} is below the village's minimum of {minimum} coins to redeem",
    ),
    "shop.not_redemption_day": (
        "{date} 不是本村的兑换日（每月 {days} 日）",
        "{date} is not a redemption day of the village (days {days} of the month)",
    ),
    "shop.item_added": ("已将商品 {code} 加入目录，价格 {price} 个道德币", "Item {code} added at {price} coins"),
    "shop.price_set": (
        "商品 {code} 自 {date} 起价格为 {price} 个道德币",
        "Item {code} costs {price} coins from {date}",
    ),
    "shop.item_retired": ("商品 {code} 自 {date} 起下架", "Item {code} retired from {date}"),
    "shop.received": (
        "已入库 {qty} 件 {code}（{village} 村），现有库存 {stock}",
        "Received {qty} of {code} in village {village}; {stock} in stock",
    ),
    "shop.counted": (
        "盘点 {code}：实有 {counted}，差额 {difference} 已记为盘点调整",
        "Stocktake of {code}: {counted} counted; the difference {difference} is recorded as an adjustment",
    ),
    "shop.redeemed": (
        "已兑换，记录号 {id}（{qty} 件 {code}，{coins} 个道德币）",
        "Redeemed as entry {id} ({qty} of {code} for {coins} coins)",
    ),
    "shop.sheet_redeemed": (
        "已兑换 {count} 笔（{repeated} 笔为重复提交，未重复记账）",
        "{count} redemption(s) recorded ({repeated} earlier retries not written again)",
    ),
    "shop.xlsx_needs_out": ("xlsx 格式须用 --out 指定文件", "The xlsx format needs a file: pass --out"),
    "shop.report_title": (
        "{name}（{village}）积分超市月报（{month}）",
        "Points supermarket of {name} ({village}), {month}",
    ),
    "shop.report_totals": (
        "兑换户数 {households}，收入道德币 {coins}，入库货值 {value} 元；目录外兑换 {outside_count} 笔共 {outside_coins} 个道德币",
        "{households} household(s) served, {coins} coins taken in, goods received worth {value} yuan; "
        "{outside_count} redemption(s) outside the catalogue for {outside_coins} coins",
    ),
    "policy.bad_days": (
        "兑换日 {value} 无效：请写每月的日期，用逗号分开（如 10,25）",
        "Redemption days {value} are not valid: days of the month separated by commas (e.g. 10,25)",
    ),
    "policy.bad_titles": (
        "星级称号 {value} 无效：请写 上榜月数:称号，用逗号分开（如 6:二星级文明户,10:三星级文明户）",
        "Titles {value} are not valid: months on the red list and a title, comma separated "
        "(e.g. 6:二星级文明户,10:三星级文明户)",
    ),
    "policy.negative": ("{option} 不能为负数：{value}", "{option} cannot be negative: {value}"),
    "policy.updated": (
        "已更新村 {code} 的积分超市与年度规则。",
        "Supermarket and year rules of village {code} updated.",
    ),
    "year.clearing_off": (
        "{village} 村未启用年底清零（village set {village} --year-end-clearing yes）",
        "Village {village} does not clear coins at year end (village set {village} --year-end-clearing yes)",
    ),
    "year.not_ended": (
        "{year} 年尚未结束（{end} 之后才能清零）",
        "The year {year} has not ended (clearing is possible after {end})",
    ),
    "year.already_closed": ("{village} 村 {year} 年已清零，不能重复清零", "Village {village} already cleared {year}"),
    "year.pending": (
        "{village} 村还有 {count} 条公示中的记录，请先结算（settle）或作废后再清零",
        "Village {village} has {count} proposal(s) on notice; settle or void them before clearing",
    ),
    "year.no_base_score": (
        "{village} 村未设年度基础分（village set {village} --base-score 100）",
        "Village {village} gives no base score (village set {village} --base-score 100)",
    ),
    "year.base_already": (
        "{village} 村 {year} 年的基础分已全部发放",
        "Village {village} already gave every household its {year} base score",
    ),
    "year.closed": (
        "{village} 村 {year} 年已清零：{households} 户，共 {coins} 个道德币退回发行账户",
        "Village {village} cleared {year}: {coins} coins of {households} household(s) back to issuance",
    ),
    "year.opened": (
        "{village} 村 {year} 年基础分已发放：{households} 户，每户 {points} 分",
        "Village {village} gave the {year} base score to {households} household(s), {points} points each",
    ),
    "year.title": ("{name}（{village}）{year} 年度汇总", "{name} ({village}), the year {year}"),
    "stock.gap": (
        "{village} 村库存第 {seq} 条：序号断档，应为 {expected}",
        "village {village}, stock movement {seq}: sequence gap, expected {expected}",
    ),
    "stock.broken_link": (
        "{village} 村库存第 {seq} 条：与上一条的哈希链接断开",
        "village {village}, stock movement {seq}: the link to the previous movement's hash is broken",
    ),
    "stock.bad_hash": (
        "{village} 村库存第 {seq} 条：内容与其哈希不符（已被改动）",
        "village {village}, stock movement {seq}: its content does not match its hash (altered)",
    ),
    "stock.negative": (
        "{village} 村库存第 {seq} 条：{item} 库存变为负数 {stock}",
        "village {village}, stock movement {seq}: the stock of {item} goes below zero ({stock})",
    ),
    "stock.bad_link": (
        "{village} 村库存第 {seq} 条：与对应的兑换记录不符",
        "village {village}, stock movement {seq}: does not match its redemption entry",
    ),
    "col.unit": ("单位", "unit"),
    "col.price": ("价格", "price"),
    "col.stock": ("库存", "stock"),
    "col.low": ("库存不足", "low"),
    "col.redeemed": ("兑出", "redeemed"),
    "col.received": ("入库", "received"),
    "col.received_value": ("入库货值（元）", "value received (yuan)"),
    "col.adjusted": ("盘点调整", "adjusted"),
    "col.stock_end": ("月末库存", "stock at month end"),
    "col.min_balance": ("兑换起点", "min balance"),
    "col.redemption_days": ("兑换日", "redemption days"),
    "col.year_end_clearing": ("年底清零", "year-end clearing"),
    "col.base_score": ("基础分", "base score"),
    "col.star_titles": ("星级称号", "titles"),
    "col.star_title": ("星级称号", "title"),
    "col.coins_issued": ("发放", "coins issued"),
    "col.coins_spent": ("兑换", "coins spent"),
    "col.coins_cleared": ("清零", "coins cleared"),
    "col.red_months": ("上红榜月数", "months on red list"),
    "col.black_months": ("上黑榜月数", "months on black list"),
    "help.shop": ("积分超市：商品目录、库存与兑换", "The points supermarket: catalogue, stock and redemption"),
    "help.shop_item": ("商品目录", "The catalogue"),
    "help.shop_item_add": ("添加商品（本村或全县目录）", "Add an item (to a village's catalogue or the county's)"),
    "help.shop_item_price": ("自某日起改价", "Change an item's price from a date"),
    "help.shop_item_retire": ("商品下架", "Retire an item"),
    "help.shop_list": ("列出商品、价格与库存", "List items with price and stock"),
    "help.shop_receive": ("入库（采购或捐赠）", "Receive goods (bought or donated)"),
    "help.shop_stocktake": ("盘点：差额记为调整", "Stocktake: a difference becomes an adjustment"),
    "help.shop_redeem": ("按商品兑换（扣道德币并减库存）", "Redeem an item (coins and stock in one step)"),
    "help.shop_import": (
        "导入兑换日的兑换表（全部成功或全部不写入）",
        "Import a redemption day's sheet (all rows or none)",
    ),
    "help.shop_report": ("积分超市月报", "The supermarket's month report"),
    "help.year": ("村年度：基础分与年底清零", "The village year: base score and year-end clearing"),
    "help.year_open": ("发放年度基础分（记在 1 月 1 日）", "Give the year's base score (booked on 1 January)"),
    "help.year_close": ("年底清零（记在 12 月 31 日）", "Clear remaining coins at year end (booked on 31 December)"),
    "help.year_report": ("村年度汇总", "A village's year per household"),
    "help.year_opt": ("年份", "Year"),
    "help.item_name": ("商品名称", "Item name"),
    "help.item_price": ("价格（道德币）", "Price in coins"),
    "help.item_unit": ("单位，如 瓶、袋", "Unit, e.g. 瓶, 袋"),
    "help.item_village": ("本村目录（不写则为全县目录）", "A village's catalogue (the county's when omitted)"),
    "help.low_stock": ("库存不超过此数时标记不足", "Mark the stock low at or below this"),
    "help.item_from": ("生效日期（默认今天）", "Effective from (default today)"),
    "help.source": ("来源，如 采购、某某捐赠", "Source, e.g. bought, donated by ..."),
    "help.value": ("货值（元，可不填）", "Value in yuan, if known"),
    "help.min_balance": ("兑换起点：余额不足此数不能兑换", "Minimum balance to redeem"),
    "help.redemption_days": (
        "兑换日：每月几号，逗号分开（空为不限）",
        "Redemption days of the month, comma separated (empty: any)",
    ),
    "help.year_end_clearing": ("年底清零 yes/no", "Year-end clearing yes/no"),
    "help.base_score": ("年度基础分（0 为从零开始）", "Yearly base score (0: start from zero)"),
    "help.star_titles": (
        "星级称号：上红榜月数:称号，逗号分开",
        "Titles: months on the red list:title, comma separated",
    ),
    # shop and year fixes (review of issue 14)
    "stock.count_before_later": (
        "{code} 在 {date} 盘点为 {counted}，但此后又兑出 {taken}：库存会低于零",
        "{code} counted {counted} on {date}, but {taken} more left after that day: the stock would go below zero",
    ),
    "stock.entry_without_movement": (
        "{village} 村第 {seq} 条：兑换商品的记录没有与之相符的库存记录（商品、数量）",
        "village {village}, seq {seq}: a redemption of goods without its matching stock movement (item, quantity)",
    ),
    "stock.truncated": (
        "{village} 村库存第 {seq} 条已不存在：保存的检查点之后库存记录被截断",
        "village {village}, stock movement {seq} is gone: the stock chain was cut after the saved checkpoint",
    ),
    "stock.checkpoint_mismatch": (
        "{village} 村库存第 {seq} 条与保存的检查点不符",
        "village {village}, stock movement {seq} does not match the saved checkpoint",
    ),
    "col.stock_seq": ("库存序号", "stock seq"),
    "col.stock_hash": ("库存哈希", "stock hash"),
    "verify.stock_ok": (
        "积分超市库存链 {villages} 条、库存记录 {count} 条，均完整且库存从未低于零。",
        "{villages} stock chain(s), {count} stock movement(s): intact, and no stock ever below zero.",
    ),
    "key.reserved": (
        "幂等键不能以 {prefix} 开头（系统保留）",
        "A key may not begin with {prefix} (reserved for the system's own entries)",
    ),
    "year.booking_closed": (
        "{village} 村 {year} 年已年底清零结账，不能再记入该年（日期 {date}）",
        "Village {village} has closed the year {year} (year-end clearing): nothing more can be booked on {date}",
    ),
    "year.out_of_range": (
        "年份须在 {low} 至 {high} 之间：{value}",
        "The year must be between {low} and {high}: {value}",
    ),
    "shop.report_written": ("积分超市月报已写入 {path}", "The supermarket report was written to {path}"),
    # --- bankloop (issue 15) ---
    "help.credit_results": ("银行反馈：授信、用信与逾期", "The bank's answer: approvals, drawings and arrears"),
    "help.results_import": (
        "导入银行反馈表（授信审批表、用信表或逾期表），逐行对应到该行某次导出名单中的农户，"
        "整表要么全部记入、要么一行不记。例：moralbank credit results import 审批表.xlsx --bank 高密农商银行",
        "Import a bank's table (approvals, drawings or arrears), each row matched to a household of a list "
        "exported to that bank; the whole table is recorded or none of it. "
        "Example: moralbank credit results import approvals.xlsx --bank 高密农商银行",
    ),
    "help.results_file": (
        "银行发回的表格（xlsx、xls 或 csv）",
        "The table the bank sent back (xlsx, xls or csv)",
    ),
    "help.results_bank": ("银行名称，与导出名单时所用的一致", "The bank's name, as the list was exported to it"),
    "help.results_export": (
        "所对应的导出记录号（见 credit exports），默认该行最近一次导出",
        "The export it answers (see credit exports); the bank's latest by default",
    ),
    "help.results_kind": (
        "表的种类：approval（授信）、drawing（用信）或 arrears（逾期）；默认按表头判断",
        "The kind of table: approval, drawing or arrears; told by the headings by default",
    ),
    "help.results_on": (
        "表中没有日期列时，各行的日期",
        "The date of every row, when the table has no date column",
    ),
    "help.results_summary": (
        "列出一家银行已反馈的情况（按导出名单：同意、拒绝、授信、用信、逾期），供银行对账。"
        "例：moralbank credit results summary --bank 高密农商银行",
        "What a bank has sent back, per exported list (approved, refused, authorised, drawn, in arrears), "
        "for reconciliation. Example: moralbank credit results summary --bank 高密农商银行",
    ),
    "value.bank_kind.approval": ("授信审批", "approval"),
    "value.bank_kind.drawing": ("用信", "drawing"),
    "value.bank_kind.arrears": ("逾期", "arrears"),
    "bank_results.imported": (
        "已记入银行反馈 {id}：{rows} 行{kind}，{bank}，对应导出记录 {export}",
        "Bank answer {id} recorded: {rows} rows of {kind} from {bank}, answering export {export}",
    ),
    "bank_results.imported_approvals": (
        "其中同意 {approved} 户，拒绝 {refused} 户",
        "{approved} approved, {refused} refused",
    ),
    "bank_results.no_exports": ("尚未向 {bank} 导出过名单", "No list has been exported to {bank}"),
    "bank_results.summary_title": ("{bank} 的反馈（按导出名单）", "What {bank} has sent back, per exported list"),
    "bank_results.unknown_kind": (
        "{path}：看不出是哪种银行反馈表。表头需有 授信金额（万元）或 授信金额（元）、用信金额（万元/元）、"
        "逾期金额（万元/元）与逾期天数之一，或用 --kind 指定",
        "{path}: not a bank table this program knows. The headings need 授信金额（万元） or 授信金额（元） "
        "(authorised), 用信金额 (drawn) or 逾期金额 and 逾期天数 (arrears), or say --kind",
    ),
    "bank_results.bad_kind": ("未知的表种类 {kind}，可用：{kinds}", "Unknown kind of table {kind}; one of: {kinds}"),
    "bank_results.two_units": (
        "{path}：同一金额既有万元列又有元列，请只留一列",
        "{path}: the amount appears both in 万元 and in 元; keep one column",
    ),
    "bank_results.date_required": (
        "{path}：表中没有日期列（如 审批日期、用信日期、统计日期），请用 --on 给出日期",
        "{path}: the table has no date column (审批日期, 用信日期, 统计日期 …); give the date with --on",
    ),
    "bank_results.note_personal": (
        "备注中有形似身份证号或手机号的内容，不能记入",
        "the note holds something shaped like an ID or phone number; it cannot be recorded",
    ),
    "bank_results.days_without_amount": (
        "逾期 {days} 天但逾期金额为 0",
        "{days} days overdue but no amount overdue",
    ),
    "bank_results.future_date": ("日期 {value} 晚于今天", "the date {value} is in the future"),
    "bank_results.not_amount": ("“{value}”不是金额", "“{value}” is not an amount"),
    "bank_results.bad_amount": (
        "金额“{value}”不能为负，且不能细于分",
        "the amount “{value}” must not be negative or finer than a fen",
    ),
    "bank_results.amount_too_large": (
        "金额 {value} 超过每户上限 {limit}，是否单位写错（元写进了万元列）？",
        "the amount {value} is above {limit} for one household: a wrong unit (yuan in a 万元 column)?",
    ),
    "bank_results.bad_whole": (
        "“{value}”应为 0 到 {limit} 的整数",
        "“{value}” should be a whole number from 0 to {limit}",
    ),
    "bank_results.bad_term": ("授信期限“{value}”不对", "the term “{value}” is not a valid term"),
    "bank_results.bad_decision": (
        "审批结果“{value}”不明，应为 同意 或 不同意（拒绝）",
        "the decision “{value}” is unclear: write 同意 (approved) or 不同意 (refused)",
    ),
    "bank_results.approved_without_amount": ("审批同意但授信金额为 0", "approved with an amount of 0"),
    "bank_results.refused_with_amount": ("审批不同意但填了授信金额", "refused, yet an amount is given"),
    "bank_results.refusal_reason": (
        "未授信（金额为 0 或审批不同意）须在备注中写明原因",
        "a refusal (amount 0, or 不同意) needs its reason in 备注",
    ),
    "bank_results.no_such_export": ("没有导出记录 {id}", "There is no export {id}"),
    "bank_results.export_other_bank": (
        "导出记录 {id} 是给 {other} 的，不是 {bank}",
        "Export {id} was made for {other}, not {bank}",
    ),
    "bank_results.no_export": (
        "尚未向 {bank} 导出过名单，银行反馈无从对应（银行名称须与导出时一致）",
        "No list was exported to {bank}, so its answer matches nothing (the name must be as exported)",
    ),
    "bank_results.export_without_rows": (
        "导出记录 {id}（{bank}）是在本版本记录名单户之前做的，无法对应；请重新导出名单交银行，再导入其反馈",
        "Export {id} ({bank}) was made before this version recorded who was in a list, so nothing can be "
        "matched to it; export the list again for the bank and import its answer to that one",
    ),
    "bank_results.no_match": (
        "对应不到该次导出名单中的任何一户",
        "matches no household of the export",
    ),
    "bank_results.ambiguous": (
        "同时对应到名单中的 {count} 户，无法确定是哪一户；请改用户编号或完整身份证号",
        "matches {count} households of the export; use the household code or the full ID number",
    ),
    "bank_results.name_differs": (
        "姓名“{name}”与名单中该户户主不符",
        "the name “{name}” is not the head of that household in the list",
    ),
    "bank_results.bad_id": ("身份证号码无效", "the ID number is not valid"),
    "bank_results.masked_needs_name": (
        "脱敏身份证号须同时有姓名才能对应",
        "a masked ID number needs the name beside it to be matched",
    ),
    "bank_results.twice": ("该户已在第 {first} 行出现", "the same household is on row {first} already"),
    "bank_results.same_file": (
        "{path} 已作为银行反馈 {id}（{name}）于 {at} 由 {operator} 导入，不再重复记入",
        "{path} was imported already as bank answer {id} ({name}) at {at} by {operator}; not recorded twice",
    ),
    "col.export": ("导出记录", "Export"),
    "col.listed": ("名单户数", "Listed"),
    "col.answered": ("已反馈", "Answered"),
    "col.approved": ("同意", "Approved"),
    "col.refused": ("拒绝", "Refused"),
    "col.authorised_yuan": ("授信（元）", "Authorised (yuan)"),
    "col.drawing": ("用信户", "Drawing"),
    "col.drawn_yuan": ("用信（元）", "Drawn (yuan)"),
    "col.in_arrears": ("逾期户", "In arrears"),
    "col.overdue_yuan": ("逾期（元）", "Overdue (yuan)"),
    "col.tables": ("反馈表", "Tables"),
    "col.authorised": ("获授信户", "Authorised"),
    "col.borrowers": ("借款户", "Borrowers"),
    "credit.households_wan": ("{value} 万户", "{value} × 10,000 households"),
    "credit.households_count": ("{count} 户", "{count} households"),
    "credit.county_bank_line": (
        "文明信用户 {rated}，获银行授信 {authorised}，累计授信 {amount}，已用信 {drawn}；借款 {borrowers}，未逾期占 {repaying}",
        "Civilised-credit households: {rated}; authorised by banks: {authorised}, {amount} of credit granted, "
        "{drawn} drawn; borrowers: {borrowers}, {repaying} not in arrears",
    ),
    "credit.bank_table_title": ("银行授信与用信（截至 {as_of}）", "What banks granted (as of {as_of})"),
    "credit.rule.rated": ("信用户占比 {found}（要求 ≥ {wanted}%）", "credit households {found} (wanted ≥ {wanted}%)"),
    "credit.rule.tier": (
        "{tier} 级及以上占比 {found}（要求 ≥ {wanted}%）",
        "{tier} or better {found} (wanted ≥ {wanted}%)",
    ),
    "credit.rule.vetoed": ("一票否决户 {found} 户（要求 ≤ {wanted}）", "vetoed households {found} (wanted ≤ {wanted})"),
    "credit.rule.authorised": (
        "获银行授信户占比 {found}（要求 ≥ {wanted}%）",
        "households authorised by a bank {found} (wanted ≥ {wanted}%)",
    ),
    "credit.rule.repaying": (
        "借款户未逾期占比 {found}（要求 ≥ {wanted}%）",
        "borrowers not in arrears {found} (wanted ≥ {wanted}%)",
    ),
    "credit.rule.bad_loans": ("不良贷款占比 {found}（要求 < {wanted}%）", "bad loans {found} (wanted < {wanted}%)"),
    "credit.rule_met": ("，达到", ", met"),
    "credit.rule_short": ("，差 {gap} 户", ", {gap} short"),
    "credit.rule_over": ("，超出 {gap}", ", {gap} over"),
    "credit.rule_over_households": ("，多 {gap} 户", ", {gap} too many"),
    "credit.check_met": ("达到", "met"),
    "credit.check_missed": ("未达到", "not met"),
    "credit.check_line": ("称号“{name}”{mark}：{list}", "{name}: {mark}. {list}"),
    "credit.explain_village": ("{village} 村的称号条件：", "Village {village} against each designation:"),
    "credit.explain_no_bank": (
        "银行尚无该户的授信、用信或逾期反馈",
        "No bank has reported an approval, drawing or arrears for it",
    ),
    "credit.explain_bank": (
        "银行反馈（{banks}）：授信 {authorised} 元，用信 {drawn} 元，逾期 {overdue} 元（{days} 天）",
        "Banks ({banks}): {authorised} yuan authorised, {drawn} yuan drawn, {overdue} yuan overdue ({days} days)",
    ),
    "col.repaying": ("未逾期占比", "Not in arrears"),
    "county.chart_rules": (
        "各村称号条件（所获称号及上一级）",
        "Each village against its designation and the next one up",
    ),
    "county.col_result": ("结果", "Result"),
    "county.col_conditions": ("条件", "Conditions"),
    "county.no_designations": ("评定政策未设村级称号。", "The policy sets no village designations."),
    "county.fig_authorised": ("获银行授信", "Authorised by banks"),
    "county.fig_granted": ("银行累计授信", "Credit banks granted"),
    "county.fig_repaying": ("借款户未逾期", "Borrowers not in arrears"),
    "demo.bank": (
        "已向 {bank} 导出名单（导出记录 {export}，{rows} 户），其反馈表在 {folder}",
        "A list was exported to {bank} (export {export}, {rows} households); its answer is in {folder}",
    ),
    "demo.bank_answer": (
        "银行反馈已导入：同意 {approved} 户、拒绝 {refused} 户，用信 {drawn} 户",
        "The bank's answer is imported: {approved} approved, {refused} refused, {drawn} drawing",
    ),
    "col.bad_loans": ("不良占比", "Bad loans"),
    # --- bankfix ---
    "bank_results.unit_differs": (
        "金额“{value}”写的单位与该列的单位不同：请按列标题的单位（万元或元）填写数字",
        "the amount “{value}” names a unit other than its column's: write the number in the heading's unit (万元 or 元)",
    ),
    "bank_results.comma_amount": (
        "金额“{value}”中的逗号不是千位分隔：小数请用小数点，如 5.5",
        "the amount “{value}” has a comma that does not separate thousands: write decimals with a point, e.g. 5.5",
    ),
    "bank_results.whole_yuan": (
        "授信和用信金额应为整元，“{value}”带有角或分",
        "authorised and drawn amounts are whole yuan; “{value}” has jiao or fen",
    ),
    "bank_results.no_rows": (
        "{path} 只有表头，没有数据行：未记录",
        "{path} has headings but no rows under them: nothing recorded",
    ),
    "bank_results.id_as_number": (
        "身份证号码存成了数字，表格只保留 15 位有效数字，末尾几位已丢失：请把该列设为文本后重新填写",
        "the ID number was kept as a number, and a spreadsheet keeps only 15 digits of a number, so its"
        " last digits are lost: format the column as text and type the numbers again",
    ),
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
