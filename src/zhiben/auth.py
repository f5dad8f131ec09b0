"""Who may see what in the app.

- `zhiben serve` binds 127.0.0.1 unless told otherwise; bound to any other address it sets
  `ZHIBEN_REQUIRE_LOGIN=1` and the app asks for a login first (`app/auth_gate.py`).
- Accounts live in a TOML file outside git: `$ZHIBEN_ACCOUNTS`, default
  `~/.config/zhiben/accounts.toml` (mode 600). Passwords are stored only as salted scrypt hashes.
  `zhiben user add NAME --role 领导|unit [--unit U03]` creates them.
- Roles: a 领导 account sees everything; a `unit` account sees every unit in rankings and
  aggregates, but record-level detail (facts, ledgers, quarantine) only for its own unit.
- Login throttling (`login`): failures are counted per account name and per client address in
  `<accounts>.throttle.json` (mode 600, shared by every session and process of the app); after a
  few failures each further one makes that name or address wait longer (doubling, capped), a
  success resets both. Failed logins go to `<accounts>.login.log` (time, name, address; never a
  password) and to the `zhiben.auth` logger.

Everything here is plain Python (no Streamlit), so it is tested with plain pytest.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import ipaddress
import json
import logging
import math
import os
import re
import secrets
import time
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ACCOUNTS_ENV = "ZHIBEN_ACCOUNTS"
REQUIRE_LOGIN_ENV = "ZHIBEN_REQUIRE_LOGIN"
DEFAULT_ACCOUNTS_FILE = Path.home() / ".config" / "zhiben" / "accounts.toml"

ROLE_LEADER = "领导"
ROLE_UNIT = "unit"
ROLES = (ROLE_LEADER, ROLE_UNIT)
_ROLE_ALIASES = {"领导": ROLE_LEADER, "leader": ROLE_LEADER, "unit": ROLE_UNIT, "单位": ROLE_UNIT}

_NAME = re.compile(r"^[\w.@-]{1,64}$")
_UNIT = re.compile(r"^U\d{2}$")
MIN_PASSWORD_LENGTH = 8

# scrypt cost: 2^14 × 8 × 128 B = 16 MiB, ~50 ms per check on this class of machine
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32

#: record-level tables: a unit account sees only its own unit's rows of these
DETAIL_TABLES = frozenset(
    {
        "fct_hazards",
        "fct_accidents",
        "fct_inspections",
        "fct_penalties",
        "fct_training",
        "fct_drills",
        "fct_reports",
        "dim_enterprise",
        "mart_major_hazard_ledger",
        "mart_quarantine",
        "mart_target_chase_list",
        "mart_plan_tasks",
        "mart_unit_data_quality",
        "mart_evaluation_enterprises",
    }
)


class AuthError(ValueError):
    """A bad account definition (name, role, unit, password) or accounts file."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    unit_code: str | None = None

    @property
    def is_leader(self) -> bool:
        return self.role == ROLE_LEADER

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role}{' ' + self.unit_code if self.unit_code else ''})"


#: who the app is for when no login is required (bound to localhost: the machine's own user)
LOCAL_ACCOUNT = Account(name="本机用户", role=ROLE_LEADER)


# ------------------------------------------------------------------------------ passwords


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$<salt b64>$<hash b64>` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=_SCRYPT_N,
        r=_SCRYPT_R,
        p=_SCRYPT_P,
        dklen=_SCRYPT_LEN,
        maxmem=64 * 1024 * 1024,
    )
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    return _DUMMY_HASH


# ------------------------------------------------------------------------------ accounts file


def accounts_path(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get(ACCOUNTS_ENV) or DEFAULT_ACCOUNTS_FILE).expanduser()


def normalise_role(role: str) -> str:
    key = role.strip()
    if key.lower() in _ROLE_ALIASES:
        return _ROLE_ALIASES[key.lower()]
    if key in _ROLE_ALIASES:
        return _ROLE_ALIASES[key]
    raise AuthError(f"角色应为 {' 或 '.join(ROLES)}: {role!r}")


def _load(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AuthError(f"账户文件无法解析 {path}: {exc}") from None
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise AuthError(f"账户文件格式错误 {path}: [users] 应为表")
    return users


def _toml_str(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes
    return json.dumps(value, ensure_ascii=False)


def _save(path: Path, users: dict[str, dict[str, Any]]) -> None:
    lines = [
        "# zhiben app accounts — written by `zhiben user add`; keep out of git (mode 600).",
        "# password = salted scrypt hash; role = 领导 | unit; unit = U01 … (unit accounts).",
        "",
    ]
    for name in sorted(users):
        u = users[name]
        lines.append(f"[users.{_toml_str(name)}]")
        lines.append(f"role = {_toml_str(u['role'])}")
        if u.get("unit"):
            lines.append(f"unit = {_toml_str(u['unit'])}")
        lines.append(f"password = {_toml_str(u['password'])}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def known_unit_codes() -> set[str] | None:
    """Unit codes of the seed (None when the seed cannot be read)."""
    from zhiben.paths import SEEDS_DIR

    seed = SEEDS_DIR / "units.csv"
    try:
        rows = seed.read_text(encoding="utf-8").splitlines()[1:]
    except OSError:
        return None
    return {r.split(",", 1)[0].strip() for r in rows if r.strip()}


def add_user(
    name: str,
    password: str,
    role: str,
    unit_code: str | None = None,
    *,
    path: str | Path | None = None,
    replace: bool = False,
) -> Account:
    """Create (or with `replace`, reset) an account; returns it."""
    name = name.strip()
    if not _NAME.match(name):
        raise AuthError(f"用户名只能包含字母、数字、汉字和 ._@- (1–64 个字符): {name!r}")
    role = normalise_role(role)
    if role == ROLE_UNIT:
        unit_code = (unit_code or "").strip().upper()
        if not _UNIT.match(unit_code):
            raise AuthError(f"unit 账户需要 --unit 单位代码 (如 U03): {unit_code!r}")
        known = known_unit_codes()
        if known and unit_code not in known:
            raise AuthError(f"未知的单位代码 {unit_code} (已知: {', '.join(sorted(known))})")
    elif unit_code:
        raise AuthError("领导 账户看全部数据，不需要 --unit")
    else:
        unit_code = None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")
    p = accounts_path(path)
    users = _load(p)
    if name in users and not replace:
        raise AuthError(f"用户已存在: {name} (用 --replace 重设)")
    users[name] = {"role": role, "password": hash_password(password)}
    if unit_code:
        users[name]["unit"] = unit_code
    _save(p, users)
    return Account(name, role, unit_code)


def remove_user(name: str, *, path: str | Path | None = None) -> bool:
    p = accounts_path(path)
    users = _load(p)
    if name not in users:
        return False
    del users[name]
    _save(p, users)
    return True


def list_users(*, path: str | Path | None = None) -> list[Account]:
    return [
        Account(name, u.get("role", ""), u.get("unit"))
        for name, u in sorted(_load(accounts_path(path)).items())
    ]


def authenticate(name: str, password: str, *, path: str | Path | None = None) -> Account | None:
    """The account when name and password match, else None (same cost either way)."""
    try:
        users = _load(accounts_path(path))
    except AuthError:
        return None
    user = users.get((name or "").strip())
    stored = user.get("password") if isinstance(user, dict) else None
    if not isinstance(stored, str):
        verify_password(password or "", _dummy_hash())
        return None
    if not verify_password(password or "", stored):
        return None
    try:
        role = normalise_role(str(user.get("role", "")))
    except AuthError:
        return None
    unit = user.get("unit") if role == ROLE_UNIT else None
    if role == ROLE_UNIT and not unit:
        return None  # a unit account without a unit sees nothing rather than everything
    return Account(name.strip(), role, unit)


# ------------------------------------------------------------------------------ throttling

log = logging.getLogger("zhiben.auth")


@dataclass(frozen=True)
class ThrottlePolicy:
    """`free_failures` failures in a row cost nothing; the n-th after them makes the next attempt
    wait `base_seconds · 2^(n-1)`, at most `max_seconds`. A quiet `forget_seconds` clears the count."""

    free_failures: int
    base_seconds: float = 30.0
    max_seconds: float = 15 * 60.0
    forget_seconds: float = 24 * 3600.0

    def delay(self, failures: int) -> float:
        over = failures - self.free_failures
        if over <= 0:
            return 0.0
        return min(self.max_seconds, self.base_seconds * 2.0 ** min(over - 1, 32))


#: per account name: 4 free tries, then 30 s, 60 s, 120 s … 15 min
ACCOUNT_POLICY = ThrottlePolicy(free_failures=4)
#: per client address: more room (several people behind one office NAT), same growth
ADDRESS_POLICY = ThrottlePolicy(free_failures=10)
#: the throttle file keeps at most this many names and addresses (the most recent failures)
MAX_THROTTLE_ENTRIES = 10_000
#: the key of connections whose address Streamlit does not give (loopback, tests)
UNKNOWN_ADDRESS = "本机或未知"


def throttle_path(path: str | Path | None = None) -> Path:
    a = accounts_path(path)
    return a.with_name(a.name + ".throttle.json")


def login_log_path(path: str | Path | None = None) -> Path:
    a = accounts_path(path)
    return a.with_name(a.name + ".login.log")


def client_address(remote_ip: object, headers: Mapping[str, str] | None = None) -> str:
    """The client address to throttle on. A direct connection: its peer address (forwarded-for
    headers from outside are ignored: anyone can send them). Streamlit gives no address for a
    loopback peer; that peer is a reverse proxy on this machine (or its own user), so its
    `X-Forwarded-For` (the proxy appends the client's address last) or `X-Real-IP` is taken."""
    if isinstance(remote_ip, str) and remote_ip.strip():
        return _clean(remote_ip, 64)
    headers = headers or {}
    forwarded = [a.strip() for a in (headers.get("X-Forwarded-For") or "").split(",")]
    for candidate in (forwarded[-1], headers.get("X-Real-IP") or ""):
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return UNKNOWN_ADDRESS


def _clean(text: str, limit: int) -> str:
    """A name or address fit for a key and a log line: no control characters, bounded."""
    return "".join(c if c.isprintable() else "?" for c in (text or "").strip()[:limit])


def _keys(name: str | None, address: str) -> list[tuple[str, ThrottlePolicy]]:
    keys = [(f"address:{_clean(address, 64) or UNKNOWN_ADDRESS}", ADDRESS_POLICY)]
    if name is not None and name.strip():
        keys.append((f"account:{_clean(name, 64)}", ACCOUNT_POLICY))
    return keys


class ThrottleUnavailable(AuthError):
    """The throttle file cannot be read or written: logins are refused (fail closed)."""


@contextmanager
def _throttle_state(path: str | Path | None) -> Iterator[dict[str, dict[str, float]]]:
    """The throttle entries under an exclusive flock (every session and process of the app shares
    the file); changes are written back atomically (temp file + os.replace, mode 600)."""
    file = throttle_path(path)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file.with_name(file.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise _unavailable(file, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            entries = json.loads(file.read_text(encoding="utf-8")).get("entries", {})
            if not isinstance(entries, dict):
                raise ValueError("entries")
            entries = {k: v for k, v in entries.items() if isinstance(v, dict)}
        except FileNotFoundError:
            entries = {}
        except (ValueError, AttributeError, UnicodeDecodeError) as exc:
            log.warning("登录限制文件无法读取，已重新开始计数 %s: %s", file, exc)
            entries = {}
        except OSError as exc:
            raise _unavailable(file, exc) from None
        before = json.dumps(entries, sort_keys=True)
        yield entries
        if json.dumps(entries, sort_keys=True) != before:
            tmp = file.with_name(f".{file.name}.tmp-{os.getpid()}")
            try:
                out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(out, "w", encoding="utf-8") as f:
                    json.dump({"version": 1, "entries": entries}, f, ensure_ascii=False)
                os.chmod(tmp, 0o600)
                os.replace(tmp, file)
            except OSError as exc:
                raise _unavailable(file, exc) from None
    finally:
        os.close(fd)


def _unavailable(file: Path, exc: OSError) -> ThrottleUnavailable:
    log.error(
        "登录限制文件无法读写，拒绝登录 / cannot use the login throttle file %s: %s", file, exc
    )
    return ThrottleUnavailable("登录暂不可用：服务器无法记录登录尝试，请联系管理员。")


def _forget(entries: dict[str, dict[str, float]], now: float) -> None:
    for key in list(entries):
        e = entries[key]
        policy = ADDRESS_POLICY if key.startswith("address:") else ACCOUNT_POLICY
        if (
            e.get("locked_until", 0) <= now
            and now - e.get("last_failure", 0) > policy.forget_seconds
        ):
            del entries[key]
    if len(entries) > MAX_THROTTLE_ENTRIES:
        by_age = sorted(entries, key=lambda k: entries[k].get("last_failure", 0))
        for key in by_age[: len(entries) - MAX_THROTTLE_ENTRIES]:
            del entries[key]


def _wait(
    entries: dict[str, dict[str, float]], name: str | None, address: str, now: float
) -> float:
    return max(
        [0.0] + [entries.get(k, {}).get("locked_until", 0.0) - now for k, _ in _keys(name, address)]
    )


def login_wait(
    address: str,
    name: str | None = None,
    *,
    path: str | Path | None = None,
    now: float | None = None,
) -> float:
    """Seconds before `address` (and, given, the account `name`) may try to log in again; 0 = now."""
    now = time.time() if now is None else now
    with _throttle_state(path) as entries:
        return _wait(entries, name, address, now)


@dataclass(frozen=True)
class LoginResult:
    account: Account | None
    #: > 0: try again after this many seconds (an attempt made while a wait runs is refused
    #: without a password check)
    wait_seconds: float = 0.0


def login(
    name: str,
    password: str,
    address: str,
    *,
    path: str | Path | None = None,
    now: float | None = None,
) -> LoginResult:
    """`authenticate` behind the per-account and per-address throttle.

    While the name or the address must wait, the password is not even checked. Otherwise the
    attempt is counted as a failure before the (slow) password check, so parallel attempts cannot
    slip past the limit, and a success clears the count of both the name and the address."""
    now = time.time() if now is None else now
    name = (name or "").strip()
    keys = _keys(name, address)
    with _throttle_state(path) as entries:
        _forget(entries, now)
        wait = _wait(entries, name, address, now)
        if wait > 0:
            return LoginResult(None, wait)
        for key, policy in keys:
            e = entries.setdefault(key, {"failures": 0})
            e["failures"] = int(e.get("failures", 0)) + 1
            e["last_failure"] = now
            e["locked_until"] = now + policy.delay(int(e["failures"]))
    account = authenticate(name, password, path=path)
    with _throttle_state(path) as entries:
        if account is not None:
            for key, _ in keys:
                entries.pop(key, None)
            return LoginResult(account)
        failures = {k: int(entries.get(k, {}).get("failures", 0)) for k, _ in keys}
        wait = _wait(entries, name, address, now)
    _log_failure(name, address, failures, wait, path=path, now=now)
    return LoginResult(None, wait)


def _log_failure(
    name: str,
    address: str,
    failures: dict[str, int],
    wait: float,
    *,
    path: str | Path | None,
    now: float,
) -> None:
    """One line per failed login: UTC time, the name tried, the client address, the counts and the
    wait — never the password."""
    when = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    shown = json.dumps(_clean(name, 64), ensure_ascii=False)
    counts = " ".join(f"{k.split(':', 1)[0]}_failures={n}" for k, n in failures.items())
    line = (
        f"{when} 登录失败 login_failed account={shown} address={_clean(address, 64)} "
        f"{counts} wait_seconds={math.ceil(wait)}"
    )
    log.warning(line)
    file = login_log_path(path)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        log.warning("无法写入登录日志 %s: %s", file, exc)


# ------------------------------------------------------------------------------ serving


def is_loopback(address: str) -> bool:
    address = address.strip().strip("[]")
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # a host name other than localhost: treat as reachable from outside


def login_required(env: dict[str, str] | None = None) -> bool:
    value = (env if env is not None else os.environ).get(REQUIRE_LOGIN_ENV, "0")
    return value.strip().lower() in ("1", "true", "yes", "on")


# ------------------------------------------------------------------------------ visibility


def can_see_detail(account: Account, unit_code: str | None) -> bool:
    """Record-level rows of `unit_code`: 领导 all, a unit account its own only."""
    return account.is_leader or (unit_code is not None and unit_code == account.unit_code)


def detail_units(account: Account) -> list[str] | None:
    """Units whose record-level rows the account may see; None = all."""
    return None if account.is_leader else [account.unit_code or ""]


def is_detail_table(name: str) -> bool:
    return name in DETAIL_TABLES or name.startswith("fct_")


def filter_detail(df: Any, account: Account, unit_column: str = "unit_code") -> Any:
    """Keep the rows of a record-level polars DataFrame that `account` may see."""
    import polars as pl

    if account.is_leader:
        return df
    if unit_column not in df.columns:
        return df.clear()  # cannot tell whose rows they are: show none
    return df.filter(pl.col(unit_column) == account.unit_code)


def read_mart(account: Account, name: str, **kwargs: Any) -> Any:
    """`zhiben.warehouse.read_mart` as `account` may see it: record-level tables are limited to
    the account's unit; aggregates and rankings are read whole."""
    from zhiben.warehouse import read_mart as _read

    if account.is_leader or not is_detail_table(name):
        return _read(name, **kwargs)
    wanted = kwargs.pop("unit_code", None)
    if wanted is not None:
        wanted_set = {wanted} if isinstance(wanted, str) else set(wanted)
        if account.unit_code not in wanted_set:
            return filter_detail(_read(name, unit_code=[], **kwargs), account)
    return filter_detail(_read(name, unit_code=account.unit_code, **kwargs), account)


def scope_run_history(runs: Any, account: Account) -> Any:
    """The build runs (a polars DataFrame: `queries.run_history`) as `account` may see them.

    - The raw drop only by its folder name, for every account: the server's directory path is
      neither in `raw_dir` nor in the warning and error texts.
    - The warning and error texts are server-wide loader output that can name any unit's record
      keys and files: a 领导 reads them, a unit account sees how many warnings there were and that
      the run failed."""
    import polars as pl

    if runs.is_empty():
        return runs
    rows = runs.to_dicts()
    for row in rows:
        raw = row.get("raw_dir")
        folder = Path(raw).name if raw else None
        if "raw_dir" in row:
            row["raw_dir"] = folder
        for col in ("warnings", "error"):
            text = row.get(col)
            if not text:
                continue
            if raw:
                text = text.replace(str(raw).rstrip("/"), folder or "")
            if not account.is_leader:
                text = (
                    f"{len(text.splitlines())} 条(详情仅领导可见)"
                    if col == "warnings"
                    else "构建失败(详情仅领导可见)"
                )
            row[col] = text
    return pl.DataFrame(rows, schema=runs.schema)


def restrict_units(account: Account, unit_codes: Iterable[str]) -> list[str]:
    """Of the units asked for in a detail view, the ones the account may see."""
    return [u for u in unit_codes if can_see_detail(account, u)]
