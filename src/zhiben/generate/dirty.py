"""Bad input for the loader (``--dirty``, ``--broken-file``), every class of SPEC §3.

Clean rows stay valid. What is planted:

- loadable variants: files in GB18030 and UTF-8 with BOM, one XLSX file per extract (with real
  Excel dates), town aliases, dates as ``2024/3/5`` and ``2024年3月5日``, full-width digits and
  letters, stray blanks (incl. U+3000), and equal-更新时间 versions with different content (the
  last read wins);
- rows to quarantine: copies of valid rows with exactly one field broken (reason codes of
  ``zhiben.contract.REASONS``);
- exact duplicates (folded): copies of valid rows later in the same file or in a later file;
- deletions (SPEC §10.1 是否删除) on hazards and reports: a file ``<extract>_deletions.csv`` with
  是否删除 holding deletion rows (the key and 更新时间 only) of records that stay deleted, and of
  one record deleted then restored by a later full version (是否删除 = 否).

Every planted row is listed in ``<out>/_planted.json`` with its file and physical line.
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import polars as pl

from zhiben.codes import CREDIT_CHARSET, ID_CHECK, credit_check_char
from zhiben.contract import EXTRACTS
from zhiben.generate.world import World
from zhiben.generate.writer import OutFile, write_file

#: (column, bad value) of a broken enum per extract
BAD_ENUM = {
    "enterprises": ("scale", "大型"),
    "hazards": ("source", "上级交办"),
    "accidents": ("grade_reported", "特大"),
    "inspections": ("method", "联合检查"),
    "penalties": ("penalty_kinds", "警告;罚金"),
    "training": ("exam_result", "优秀"),
    "drills": ("drill_type", "桌面推演"),
    "reports": ("channel", "微信公众号"),
    "tasks": ("is_done", "待定"),
    "monitoring": ("system", "雷达监测"),
    "self_inspections": ("led_by", "门卫"),
}
#: the reason of a broken value of BAD_ENUM's column where it is not an enum
BAD_VALUE_REASON = {"tasks": "bad_bool"}
#: the date column broken by a non-existent day (enterprises: their only date-time)
BAD_DATE = {
    "enterprises": ("updated_at", "bad_datetime"),
    "hazards": ("deadline", "bad_date"),
    "accidents": ("occurred_at", "bad_datetime"),
    "inspections": ("inspection_date", "bad_date"),
    "penalties": ("decided_date", "bad_date"),
    "training": ("training_date", "bad_date"),
    "drills": ("drill_date", "bad_date"),
    "reports": ("received_date", "bad_date"),
    "tasks": ("reported_date", "bad_date"),
    "monitoring": ("connected_date", "bad_date"),
    "self_inspections": ("inspection_date", "bad_date"),
}
UNKNOWN_TOWNS = ("新城街道", "山亭镇", "东湖镇", "城关镇")
#: a harmless column changed in an equal-更新时间 conflicting version
CONFLICT_COL = {
    "enterprises": "phone",
    "hazards": "description",
    "accidents": "description",
    "inspections": "campaign",
    "penalties": "transferred_to_judiciary",
    "training": "hours",
    "drills": "participants",
    "reports": "reporter_phone",
    "tasks": "progress_note",
    "monitoring": "is_connected",
    "self_inspections": "led_by",
}
#: where the equal-更新时间 variant may be planted (default: any row)
CONFLICT_COND = {"monitoring": pl.col("connected_date").is_not_null()}
#: deletions (SPEC §10.1): per extract, the records whose current version may be deleted —
#: settled ones, so that no planted fact of the demo depends on them
DELETABLE = {
    "hazards": (pl.col("level") == "一般隐患") & (pl.col("status") == "已销号"),
    "reports": pl.col("verification").is_in(["查实", "不属实"]),
}
#: how many records are deleted for good, and deleted then restored
DELETED_RECORDS, RESTORED_RECORDS = 2, 1
#: date columns that may be written in the other accepted formats
DATE_COLS = {
    e.name: [c.name for c in e.columns if c.kind in ("date", "datetime")] for e in EXTRACTS.values()
}
COUNT_COL = {
    "accidents": "minor_injuries",
    "inspections": "hazards_found",
    "penalties": "fine_entity_yuan",
    "drills": "participants",
    "reports": "reward_yuan",
    "hazards": "funds_10k_yuan",
    "training": "hours",
    "tasks": "done_qty",
    "self_inspections": "hazards_found",
}
TEXT_COL = {
    "enterprises": "enterprise_name",
    "hazards": "description",
    "accidents": "description",
    "inspections": "department",
    "penalties": "department",
    "training": "person_role",
    "drills": "organiser_name",
    "reports": "verification",
    "tasks": "progress_note",
    "monitoring": "system",
    "self_inspections": "led_by",
}


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in s)


class Injector:
    def __init__(self, rng: np.random.Generator, world: World) -> None:
        self.rng = rng
        self.world = world
        self.manifest: dict[str, list[dict]] = {
            "quarantine": [],
            "folded": [],
            "loadable_variants": [],
            "deletions": [],
        }
        self._pending: list[tuple[str, dict]] = []
        u = world.seeds
        self.alias = {
            nm: u.aliases[code] for code, nm in zip(u.unit_codes, u.unit_names, strict=True)
        }

    # ------------------------------------------------------------------ per extract
    def apply(self, extract: str, files: list[OutFile]) -> list[OutFile]:
        rng = self.rng
        self._pending = []
        for f in files:
            f.df = f.df.with_columns(pl.lit(None, dtype=pl.Int64).alias("_tag"))
        nonempty = [i for i, f in enumerate(files) if f.df.height > 0]
        if not nonempty:
            return files
        used: dict[int, set[int]] = {}  # file index → source rows already used

        # 1. one XLSX file: the rows of a month (at most 2,000; the rest stays in the CSV)
        cand = nonempty[1 : max(2, len(nonempty) // 2)] or nonempty
        xi = int(rng.choice(cand))
        src = files[xi]
        cut = max(0, src.df.height - 2000)
        xdf = src.df.slice(cut)
        src.df = src.df.slice(0, cut)
        xrel = src.rel.removesuffix(".csv") + ".xlsx"
        dates = tuple(c.name for c in EXTRACTS[extract].columns if c.kind == "date")
        xfile = OutFile(xrel, extract, xdf, encoding="xlsx", excel_dates=dates)
        files.insert(xi + 1, xfile)
        self._variant(extract, xrel, kind="xlsx", excel_dates=list(dates))
        # one bad-enum copy inside the XLSX file
        col, bad = BAD_ENUM[extract]
        bad_reason = BAD_VALUE_REASON.get(extract, "bad_enum")
        if xdf.height:
            r = int(rng.integers(0, xdf.height))
            row = _row(xdf, r)
            row[col] = bad
            xfile.df = _insert(
                xfile.df,
                int(rng.integers(0, xdf.height + 1)),
                row,
                self._tag(extract, "quarantine", column=col, reason_code=bad_reason),
            )
        csv_idx = [i for i, f in enumerate(files) if f.encoding != "xlsx" and f.df.height > 0]
        if not csv_idx:
            return self._finish(extract, files)

        cache: dict[str, dict[int, np.ndarray]] = {}

        def candidates(cond) -> dict[int, np.ndarray]:
            """Per CSV file, the free rows (untagged, unused) where cond holds (cached)."""
            key = "" if cond is None else str(cond)
            if key not in cache:
                per = {}
                for i in csv_idx:
                    df = files[i].df
                    ok = df["_tag"].is_null()
                    if cond is not None:
                        ok = ok & df.select(cond).to_series().fill_null(False)
                    rows = np.flatnonzero(ok.to_numpy())
                    if used.get(i):
                        rows = np.setdiff1d(rows, np.fromiter(used[i], dtype=np.int64))
                    per[i] = rows
                cache[key] = per
            return cache[key]

        def pick(cond=None) -> tuple[int, int] | None:
            """A random free (file, row) of the CSV files (optionally where cond)."""
            per = candidates(cond)
            cum = np.cumsum([len(per[i]) for i in csv_idx])
            if not len(cum) or cum[-1] == 0:
                return None
            k = int(rng.integers(0, cum[-1]))
            j = int(np.searchsorted(cum, k, side="right"))
            fi = csv_idx[j]
            r = int(per[fi][k - (int(cum[j - 1]) if j else 0)])
            used.setdefault(fi, set()).add(r)
            for p in cache.values():
                p[fi] = p[fi][p[fi] != r]
            return fi, r

        def shift(fi: int, pos: int) -> None:
            """Rows at or after pos moved down by one (a row was inserted)."""
            _shift(used, fi, pos)
            for p in cache.values():
                p[fi] = np.where(p[fi] >= pos, p[fi] + 1, p[fi])

        def plant_copy(reason: str, column: str, change, cond=None, copies: int = 2) -> None:
            for _ in range(copies):
                got = pick(cond)
                if got is None:
                    return
                fi, r = got
                row = _row(files[fi].df, r)
                change(row)
                pos = int(rng.integers(0, files[fi].df.height + 1))
                files[fi].df = _insert(
                    files[fi].df,
                    pos,
                    row,
                    self._tag(extract, "quarantine", column=column, reason_code=reason),
                )
                shift(fi, pos)

        # 2. rows to quarantine (one defect each)
        plant_copy(bad_reason, col, lambda row: row.__setitem__(col, bad))
        dcol, dreason = BAD_DATE[extract]
        plant_copy(
            dreason,
            dcol,
            lambda row: row.__setitem__(dcol, _bad_day(row[dcol])),
            cond=pl.col(dcol).is_not_null(),
        )
        cols = {c.name for c in EXTRACTS[extract].columns}
        if "town" in cols:
            plant_copy(
                "unknown_town",
                "town",
                lambda row: row.__setitem__("town", str(rng.choice(UNKNOWN_TOWNS))),
                cond=pl.col("town").is_not_null(),
            )
        # a row whose enterprise is unknown must carry its own unit and industry (else 2 defects)
        own = pl.col("town").is_not_null()
        if "industry" in cols:
            own = own & pl.col("industry").is_not_null()
        if extract in ("enterprises", "hazards"):
            plant_copy(
                "bad_credit_code",
                "credit_code",
                lambda row: row.__setitem__("credit_code", _bad_check(row["credit_code"])),
                cond=own,
            )
        if extract in ("hazards", "inspections"):
            plant_copy(
                "orphan_credit_code",
                "credit_code",
                lambda row: row.__setitem__("credit_code", _orphan_code(rng)),
                cond=own,
            )
        if extract == "hazards":
            plant_copy(
                "deadline_before_found",
                "deadline",
                lambda row: row.__setitem__(
                    "deadline", _shift_date(row["found_date"], -int(rng.integers(3, 20)))
                ),
            )
            plant_copy(
                "rectified_date_missing",
                "rectified_date",
                lambda row: row.__setitem__("rectified_date", None),
                cond=pl.col("status") == "已整改",
            )
        if extract == "accidents":
            plant_copy(
                "negative",
                "minor_injuries",
                lambda row: row.__setitem__("minor_injuries", "-1"),
                copies=1,
            )
            plant_copy(
                "unknown_accident_type",
                "accident_type",
                lambda row: row.__setitem__("accident_type", "瓦斯突出"),
                copies=1,
            )
        if extract == "inspections":
            plant_copy(
                "negative",
                "major_hazards_found",
                lambda row: row.__setitem__("major_hazards_found", "-1"),
            )
        if extract == "penalties":
            plant_copy(
                "orphan_inspection",
                "inspection_id",
                lambda row: row.__setitem__(
                    "inspection_id",
                    f"JC{row['decided_date'][:4]}9{int(rng.integers(0, 10**6)):06d}",
                ),
            )
        if extract == "tasks":
            self._plant_tasks(plant_copy)
        if extract == "training":
            plant_copy(
                "bad_id_number",
                "id_number",
                lambda row: row.__setitem__("id_number", _bad_id(row["id_number"])),
            )

        # 3. exact duplicates (folded): later in the same file, or in a later file
        for k in range(3):
            got = pick()
            if got is None:
                break
            fi, r = got
            row = _row(files[fi].df, r)
            if k == 2:  # identical after normalisation only (a trailing U+3000, full-width digits)
                tc = TEXT_COL[extract]
                if row.get(tc):
                    row[tc] = row[tc] + "\u3000"
            later = [i for i in csv_idx if i > fi]
            if k == 1 and later:
                fj = int(rng.choice(later))
                pos = int(rng.integers(0, files[fj].df.height + 1))
            else:
                fj, pos = fi, int(rng.integers(r + 1, files[fi].df.height + 1))
            files[fj].df = _insert(
                files[fj].df,
                pos,
                row,
                self._tag(
                    extract,
                    "folded",
                    **({"note": "identical after normalisation"} if k == 2 else {}),
                ),
            )
            shift(fj, pos)

        if extract in ("monitoring", "self_inspections"):  # SPEC §10.1 rules (issue 16)
            plant_copy(
                "orphan_credit_code",
                "credit_code",
                lambda row: row.__setitem__("credit_code", _orphan_code(rng)),
            )
        if extract == "monitoring":
            plant_copy(
                "connected_date_missing",
                "connected_date",
                lambda row: row.__setitem__("connected_date", None),
                cond=(pl.col("is_connected") == "是") & pl.col("disconnected_date").is_null(),
            )
        if extract == "self_inspections":
            plant_copy(
                "major_gt_all",
                "major_hazards_found",
                lambda row: row.__setitem__(
                    "major_hazards_found", str(int(row["hazards_found"] or 0) + 1)
                ),
            )

        # 4. an equal-更新时间 version with different content, right after the original
        got = pick(CONFLICT_COND.get(extract))
        if got is not None:
            fi, r = got
            row = _row(files[fi].df, r)
            cc = CONFLICT_COL[extract]
            row[cc] = _conflict_value(extract, cc, row.get(cc), rng)
            files[fi].df = _insert(
                files[fi].df,
                r + 1,
                row,
                self._tag(
                    extract,
                    "loadable_variants",
                    kind="equal_updated_at",
                    column=cc,
                    record_key=row.get(EXTRACTS[extract].key) or row.get("task_id"),
                ),
            )
            shift(fi, r + 1)

        # 5. loadable variants on existing rows
        def vary(kind: str, column: str, fn, cond=None, copies: int = 3) -> None:
            for _ in range(copies):
                got = pick(cond)
                if got is None:
                    return
                fi, r = got
                df = files[fi].df
                new = fn(df[column][r])
                tag = self._tag(extract, "loadable_variants", kind=kind, column=column, value=new)
                files[fi].df = df.with_columns(
                    df[column].scatter(r, new), df["_tag"].scatter(r, tag)
                )

        if "town" in cols:
            vary(
                "town_alias",
                "town",
                lambda v: str(rng.choice(self.alias[v])) if self.alias.get(v) else v,
                cond=pl.col("town").is_not_null(),
            )
        dcols = DATE_COLS[extract]
        for fmt in ("slash", "chinese"):
            c = dcols[int(rng.integers(0, len(dcols)))]
            vary(
                f"date_{fmt}",
                c,
                lambda v, fmt=fmt: _date_format(v, fmt),
                cond=pl.col(c).is_not_null(),
                copies=2,
            )
        vary("datetime_slash", "updated_at", lambda v: _date_format(v, "slash"), copies=2)
        code_col = "credit_code" if "credit_code" in cols else None
        if code_col:
            vary("fullwidth", code_col, fullwidth, cond=pl.col(code_col).is_not_null(), copies=2)
        if extract in COUNT_COL:
            cc = COUNT_COL[extract]
            vary("fullwidth", cc, fullwidth, cond=pl.col(cc).is_not_null(), copies=2)
        tc = TEXT_COL[extract]
        vary("blanks", tc, lambda v: f" {v}\u3000", cond=pl.col(tc).is_not_null(), copies=2)
        if code_col:
            vary(
                "blanks",
                code_col,
                lambda v: f"\u3000{v} ",
                cond=pl.col(code_col).is_not_null(),
                copies=1,
            )

        # 6. encodings: two files in GB18030, two in UTF-8 with BOM
        enc_idx = [i for i in csv_idx if files[i].encoding == "utf-8"]
        picks = rng.choice(enc_idx, min(4, len(enc_idx)), replace=False) if enc_idx else []
        for j, fi in enumerate(picks):
            files[int(fi)].encoding = "gb18030" if j < 2 else "utf-8-sig"
            self._variant(
                extract, files[int(fi)].rel, kind="encoding", encoding=files[int(fi)].encoding
            )

        # 7. deletions: a file of deletion rows and a restoring version (SPEC §10.1)
        if extract in DELETABLE:
            deletions = self._deletions(extract, files)
            if deletions is not None:
                files.append(deletions)
        return self._finish(extract, files)

    def _deletions(self, extract: str, files: list[OutFile]) -> OutFile | None:
        """``<extract>/<extract>_deletions.csv``: DELETED_RECORDS records deleted for good and
        RESTORED_RECORDS deleted then restored, each deleted some days after its current
        version (one of DELETABLE, of a record no planted row touches) and restored some days
        later by a copy of that version; every row's 是否删除 is 是 or 否."""
        rng = self.rng
        key = EXTRACTS[extract].key
        columns = [c for c in files[0].df.columns if c != "_tag"]
        every = pl.concat([f.df for f in files if f.df.height], how="vertical_relaxed")
        tainted = every.filter(pl.col("_tag").is_not_null())[key].unique()
        # the latest ISO 更新时间 a record can have and still be deleted and restored by D
        latest = f"{date.fromordinal(self.world.cal.as_of.toordinal() - 60).isoformat()} 00:00:00"
        current = (
            every.filter(pl.col("_tag").is_null())
            .sort(key, "updated_at")
            .group_by(key, maintain_order=True)
            .last()
        )
        chosen = current.filter(
            DELETABLE[extract]
            & ~pl.col(key).is_in(tainted.implode())
            & (pl.col("updated_at") < latest)
            & pl.col("updated_at").str.contains(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
        )
        n = DELETED_RECORDS + RESTORED_RECORDS
        if chosen.height < n:
            return None
        picked = sorted(int(i) for i in rng.choice(chosen.height, n, replace=False))
        rows: list[tuple[dict, int]] = []
        for j, r in enumerate(picked):
            version = _row(chosen, r)
            record = version[key]
            deleted_at = _later(version["updated_at"], int(rng.integers(1, 21)))
            restored = j >= DELETED_RECORDS
            deletion = dict.fromkeys(columns)
            deletion.update({key: record, "updated_at": deleted_at, "is_deleted": "是"})
            tag = self._tag(
                extract, "deletions", kind="delete", record_key=record, restored=restored
            )
            rows.append((deletion, tag))
            if restored:
                restore = {c: version.get(c) for c in columns}
                restore["updated_at"] = _later(deleted_at, int(rng.integers(5, 21)))
                restore["is_deleted"] = "否"
                tag = self._tag(extract, "deletions", kind="restore", record_key=record)
                rows.append((restore, tag))
        rows.sort(key=lambda rt: rt[0]["updated_at"])
        df = pl.DataFrame(
            [{**row, "_tag": tag} for row, tag in rows],
            schema={**dict.fromkeys([*columns, "is_deleted"], pl.String), "_tag": pl.Int64},
        )
        return OutFile(f"{extract}/{extract}_deletions.csv", extract, df)

    def _plant_tasks(self, plant_copy) -> None:
        """tasks (SPEC §10.1): one copy of a valid row per task rule, each with one defect."""
        from zhiben.generate.tasks import owner_names, task_owners

        rng = self.rng
        names = owner_names(self.world)
        owners = task_owners(self.world.seeds.unit_codes)

        every = [*self.world.seeds.dept_codes, *self.world.seeds.unit_codes]

        def outsiders(task_id: str) -> list[str]:
            return [c for c in every if c not in owners.get(task_id, [])]

        def not_an_owner(row: dict) -> None:
            others = outsiders(row["task_id"])
            row["owner"] = names[others[int(rng.integers(0, len(others)))]][0]

        plant_copy(
            "unknown_task",
            "task_id",
            lambda row: row.__setitem__("task_id", "二.99-" + str(int(rng.integers(1, 9)))),
            copies=1,
        )
        plant_copy(
            "unknown_owner", "owner", lambda row: row.__setitem__("owner", "区人民法院"), copies=1
        )
        # a task some body does not own (not every task is every body's)
        plant_copy(
            "owner_not_of_task",
            "owner",
            not_an_owner,
            cond=pl.col("task_id").is_in([t for t in owners if outsiders(t)]),
            copies=1,
        )
        plant_copy(
            "completed_date_missing",
            "completed_date",
            lambda row: row.__setitem__("completed_date", None),
            cond=pl.col("is_done") == "是",
            copies=1,
        )
        plant_copy(
            "completed_after_reported",
            "completed_date",
            lambda row: row.__setitem__(
                "completed_date", _shift_date(row["reported_date"], int(rng.integers(1, 20)))
            ),
            cond=(pl.col("is_done") == "是") & (pl.col("reported_date") < "2026-01-01"),
            copies=1,
        )
        plant_copy(
            "reported_after_update",
            "reported_date",
            lambda row: row.__setitem__("reported_date", _shift_date(row["updated_at"], 3)),
            cond=(pl.col("is_done") == "否") & (pl.col("updated_at") < "2026-01-01"),
            copies=1,
        )
        plant_copy(
            "negative",
            "done_qty",
            lambda row: row.__setitem__("done_qty", "-1"),
            cond=pl.col("done_qty").is_not_null(),
            copies=1,
        )

    # ------------------------------------------------------------------ bookkeeping
    def _tag(self, extract: str, section: str, **info) -> int:
        self._pending.append((section, {"extract": extract, **info}))
        return len(self._pending) - 1

    def _variant(self, extract: str, rel: str, **info) -> None:
        self.manifest["loadable_variants"].append({"extract": extract, "file": rel, **info})

    def _finish(self, extract: str, files: list[OutFile]) -> list[OutFile]:
        for f in files:
            tags = f.df["_tag"].to_numpy()
            for r in np.flatnonzero(~np.isnan(tags.astype(float))):
                section, info = self._pending[int(tags[r])]
                entry = {"extract": info["extract"], "file": f.rel, "line": int(r) + 2}
                entry.update({k: v for k, v in info.items() if k != "extract"})
                self.manifest[section].append(entry)
            f.df = f.df.drop("_tag")
        for section in self.manifest:
            self.manifest[section].sort(key=lambda e: (e["extract"], e["file"], e.get("line", 0)))
        return files


# ---------------------------------------------------------------------- helpers


def _row(df: pl.DataFrame, r: int) -> dict:
    row = df.row(r, named=True)
    row.pop("_tag", None)
    return row


def _insert(df: pl.DataFrame, pos: int, row: dict, tag: int) -> pl.DataFrame:
    new = pl.DataFrame([{**row, "_tag": tag}], schema=df.schema)
    return pl.concat([df.slice(0, pos), new, df.slice(pos)])


def _shift(used: dict[int, set[int]], fi: int, pos: int) -> None:
    if fi in used:
        used[fi] = {r + 1 if r >= pos else r for r in used[fi]}


def _bad_check(code: str) -> str:
    good = code[17]
    alt = CREDIT_CHARSET[(CREDIT_CHARSET.index(good) + 7) % 31]
    return code[:17] + alt


def _bad_id(idn: str) -> str:
    good = idn[17]
    alt = ID_CHECK[(ID_CHECK.index(good) + 3) % 11]
    return idn[:17] + alt


def _orphan_code(rng: np.random.Generator) -> str:
    """A valid credit code registered in 滕州 (370481): never one of the drop's enterprises."""
    body = "".join(str(int(d)) for d in rng.integers(0, 10, 8))
    org = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    chk = (11 - org) % 11
    first17 = "91370481" + body + ("X" if chk == 10 else str(chk))
    return first17 + credit_check_char(first17)


def _bad_day(v: str) -> str:
    """The same year, a day that does not exist (Feb 30); date-times keep their time."""
    rest = v[10:] if len(v) > 10 else ""
    return f"{v[:4]}-02-30{rest}"


def _shift_date(v: str, days: int) -> str:
    d = date.fromisoformat(v[:10])
    return (d.fromordinal(d.toordinal() + days)).isoformat()


def _later(ts: str, days: int) -> str:
    """An ISO 更新时间 `days` later, at 10:00:00 (a deletion or a restore)."""
    d = date.fromisoformat(ts[:10])
    return f"{d.fromordinal(d.toordinal() + days).isoformat()} 10:00:00"


def _date_format(v: str, fmt: str) -> str:
    y, m, d = int(v[:4]), int(v[5:7]), int(v[8:10])
    rest = v[10:]
    if fmt == "slash":
        return f"{y}/{m}/{d}{rest}"
    return f"{y}年{m}月{d}日{rest}"


def _conflict_value(extract: str, col: str, v, rng: np.random.Generator) -> str:
    if col == "phone" or col == "reporter_phone":
        return "139" + f"{int(rng.integers(0, 10**8)):08d}"
    if col in ("description", "progress_note"):
        return (v or "") + "（补充）"
    if col == "campaign":
        return "有限空间" if v != "有限空间" else "无"
    if col == "transferred_to_judiciary":
        return "是" if v == "否" else "否"
    if col == "is_connected":
        return "否" if v == "是" else "是"
    if col == "led_by":
        return "分管负责人" if v == "主要负责人" else "主要负责人"
    if col in ("hours", "participants"):
        return str(int(float(v or 0)) + 8)
    return v


def write_broken_file(out, world: World) -> str:
    """``hazards/hazards_broken.csv`` without the required 隐患编号 column."""
    cols = [
        c.name for c in EXTRACTS["hazards"].columns if c.name not in ("hazard_id", "is_deleted")
    ]
    df = None
    for path in sorted((out / "hazards").glob("hazards_*.csv")):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        df = pl.read_csv(io.StringIO(text), infer_schema=False, n_rows=20)
        if df.height:
            break
    rel = "hazards/hazards_broken.csv"
    zh = {c.name: c.zh for c in EXTRACTS["hazards"].columns}
    if df is not None and df.height:
        body = df.rename({v: k for k, v in zh.items() if v in df.columns}).select(cols)
    else:
        body = pl.DataFrame({c: pl.Series([], dtype=pl.String) for c in cols})
    write_file(out, OutFile(rel, "hazards", body))
    return rel
