"""Access: accounts with salted password hashes, roles, the serve address rule, the app's login
gate (Streamlit AppTest). No demo build needed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from zhiben import auth
from zhiben.cli import app as cli_app

REPO = Path(__file__).resolve().parents[1]
APP_DIR = REPO / "app"

GATE_SCRIPT = f"""
import sys
sys.path.insert(0, {str(APP_DIR)!r})
import streamlit as st
from auth_gate import require_login

account = require_login()
st.markdown(f"SECRET-CONTENT role={{account.role}} unit={{account.unit_code}}")

import polars as pl
from auth_gate import scope

rows = scope(pl.DataFrame({{"unit_code": ["U01", "U03", "U05"]}}))
st.markdown("DETAIL-UNITS " + ",".join(rows["unit_code"].to_list()))
"""


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cfg" / "accounts.toml"
    monkeypatch.setenv(auth.ACCOUNTS_ENV, str(path))
    auth.add_user("leader1", "leader-pass-1", "领导")
    auth.add_user("u03", "unit-pass-03", "unit", "U03")
    return path


# ----------------------------------------------------------------------------------- hashing


def test_password_hash_is_salted_scrypt_and_verifies() -> None:
    h1, h2 = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert h1 != h2  # fresh salt each time
    assert h1.startswith("scrypt$") and "correct horse" not in h1
    assert auth.verify_password("correct horse", h1)
    assert auth.verify_password("correct horse", h2)
    assert not auth.verify_password("correct hors", h1)
    assert not auth.verify_password("correct horse", "garbage")
    assert not auth.verify_password("correct horse", "pbkdf2$1$2$3$4$5")


def test_accounts_file_holds_hashes_only_and_is_private(accounts: Path) -> None:
    text = accounts.read_text(encoding="utf-8")
    assert "leader-pass-1" not in text and "unit-pass-03" not in text
    assert text.count("scrypt$") == 2
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    assert {(a.name, a.role, a.unit_code) for a in auth.list_users()} == {
        ("leader1", "领导", None),
        ("u03", "unit", "U03"),
    }


def test_authenticate(accounts: Path) -> None:
    assert auth.authenticate("leader1", "leader-pass-1") == auth.Account("leader1", "领导")
    assert auth.authenticate(" u03 ", "unit-pass-03") == auth.Account("u03", "unit", "U03")
    assert auth.authenticate("leader1", "unit-pass-03") is None
    assert auth.authenticate("nobody", "leader-pass-1") is None
    assert auth.authenticate("", "") is None


def test_bad_accounts_are_refused(accounts: Path) -> None:
    with pytest.raises(auth.AuthError, match="已存在"):
        auth.add_user("leader1", "another-pass", "领导")
    with pytest.raises(auth.AuthError, match="单位代码"):
        auth.add_user("u99", "unit-pass-99", "unit", "U99")
    with pytest.raises(auth.AuthError, match="--unit"):
        auth.add_user("u00", "unit-pass-00", "unit")
    with pytest.raises(auth.AuthError, match="角色"):
        auth.add_user("boss", "boss-pass-1", "admin")
    with pytest.raises(auth.AuthError, match="密码"):
        auth.add_user("short", "abc", "领导")
    with pytest.raises(auth.AuthError, match="用户名"):
        auth.add_user("bad name]", "good-pass-1", "领导")
    auth.add_user("leader1", "new-pass-123", "领导", replace=True)
    assert auth.authenticate("leader1", "new-pass-123")
    assert auth.authenticate("leader1", "leader-pass-1") is None
    assert auth.remove_user("leader1") and not auth.remove_user("leader1")


def test_hand_edited_unit_account_without_unit_sees_nothing(accounts: Path) -> None:
    text = accounts.read_text(encoding="utf-8").replace('unit = "U03"\n', "")
    accounts.write_text(text, encoding="utf-8")
    assert auth.authenticate("u03", "unit-pass-03") is None


# ------------------------------------------------------------------------------------- roles


def test_visibility_rules() -> None:
    leader, unit = auth.Account("l", "领导"), auth.Account("u", "unit", "U03")
    assert auth.can_see_detail(leader, "U05") and auth.can_see_detail(leader, None)
    assert auth.can_see_detail(unit, "U03")
    assert not auth.can_see_detail(unit, "U05") and not auth.can_see_detail(unit, None)
    assert auth.restrict_units(unit, ["U01", "U03", "U05"]) == ["U03"]
    assert auth.detail_units(leader) is None and auth.detail_units(unit) == ["U03"]
    df = pl.DataFrame({"unit_code": ["U01", "U03", "U03", None], "v": [1, 2, 3, 4]})
    assert auth.filter_detail(df, leader).height == 4
    assert auth.filter_detail(df, unit)["v"].to_list() == [2, 3]
    assert auth.filter_detail(df.drop("unit_code"), unit).height == 0


def test_read_mart_scopes_detail_but_not_rankings(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute(
            "create table fct_hazards as select * from (values "
            "('H1','U01'),('H2','U03'),('H3','U03'),('H4','U05')) t(hazard_id, unit_code)"
        )
        con.execute(
            "create table mart_quarterly_evaluation as select * from (values "
            "('2026Q3','U01',1),('2026Q3','U03',2),('2026Q3','U05',3)) t(quarter, unit_code, rank)"
        )
    leader, unit = auth.Account("l", "领导"), auth.Account("u", "unit", "U03")
    assert auth.read_mart(leader, "fct_hazards", path=wh).height == 4
    mine = auth.read_mart(unit, "fct_hazards", path=wh, order_by="hazard_id")
    assert mine["hazard_id"].to_list() == ["H2", "H3"]
    assert auth.read_mart(unit, "fct_hazards", path=wh, unit_code="U05").height == 0
    assert auth.read_mart(unit, "fct_hazards", path=wh, unit_code=["U01", "U03"]).height == 2
    # rankings and aggregates: every unit
    assert auth.read_mart(unit, "mart_quarterly_evaluation", path=wh).height == 3


# ------------------------------------------------------------------------------- throttling

T0 = 1_800_000_000.0  # the injected clock: seconds since the epoch


def _fail(address: str = "203.0.113.7", name: str = "leader1", now: float = T0) -> auth.LoginResult:
    result = auth.login(name, "wrong-password", address, now=now)
    assert result.account is None
    return result


def test_throttle_outlives_the_session_and_the_process(accounts: Path) -> None:
    """The count is in a file beside the accounts: a new session, or another process of the app,
    sees it (reloading the page used to reset a lockout kept in the session)."""
    free = auth.ACCOUNT_POLICY.free_failures
    assert [_fail().wait_seconds for _ in range(free)] == [0.0] * free
    assert _fail().wait_seconds == auth.ACCOUNT_POLICY.base_seconds
    throttle = auth.throttle_path()
    assert throttle == accounts.with_name("accounts.toml.throttle.json")
    assert stat.S_IMODE(throttle.stat().st_mode) == 0o600
    code = (
        "import json, sys; from zhiben import auth; "
        "r = auth.login('leader1', 'leader-pass-1', '198.51.100.9', now=float(sys.argv[1])); "
        "print(json.dumps([r.account is None, r.wait_seconds]))"
    )
    env = {**os.environ, auth.ACCOUNTS_ENV: str(accounts)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(T0 + 10)], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    refused, wait = json.loads(out.stdout)
    assert refused and wait == pytest.approx(auth.ACCOUNT_POLICY.base_seconds - 10)
    # once the wait is over the right password works, and resets the count
    ok = auth.login("leader1", "leader-pass-1", "198.51.100.9", now=T0 + 31)
    assert ok.account == auth.Account("leader1", "领导") and ok.wait_seconds == 0
    assert _fail(now=T0 + 32).wait_seconds == 0


def test_throttle_delay_grows_and_is_capped(accounts: Path) -> None:
    policy, now, waits = auth.ACCOUNT_POLICY, T0, []
    for _ in range(policy.free_failures + 8):
        result = _fail(now=now)
        waits.append(result.wait_seconds)
        if result.wait_seconds:  # before the wait is over even the right password is refused
            early = auth.login(
                "leader1", "leader-pass-1", "203.0.113.7", now=now + result.wait_seconds - 1
            )
            assert early == auth.LoginResult(None, 1.0)
        now += result.wait_seconds + 1
    grown = waits[policy.free_failures :]
    assert waits[: policy.free_failures] == [0.0] * policy.free_failures
    assert grown[:5] == [30.0, 60.0, 120.0, 240.0, 480.0]
    assert grown[5:] == [policy.max_seconds] * 3
    # a quiet day forgets the count
    assert _fail(now=now + policy.forget_seconds + 1).wait_seconds == 0


def test_parallel_guesses_cannot_slip_past_the_limit(accounts: Path) -> None:
    """An attempt is counted before its (slow) password check: a burst of parallel guesses gets
    no more password checks than one guess after another would."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda _: _fail(), range(12)))
    checked = auth.login_log_path().read_text(encoding="utf-8").splitlines()
    assert len(checked) == auth.ACCOUNT_POLICY.free_failures + 1
    assert all(r.account is None for r in results)
    assert auth.login_wait("203.0.113.7", "leader1", now=T0) == auth.ACCOUNT_POLICY.base_seconds


def test_throttle_per_address(accounts: Path) -> None:
    """Guesses across many names from one address lock that address (every name, even a right
    password), not the other addresses."""
    free = auth.ADDRESS_POLICY.free_failures
    waits = [_fail("203.0.113.7", f"guess{i}").wait_seconds for i in range(free + 1)]
    assert waits[:free] == [0.0] * free and waits[free] > 0
    assert auth.login_wait("203.0.113.7", now=T0 + 1) > 0
    blocked = auth.login("leader1", "leader-pass-1", "203.0.113.7", now=T0 + 1)
    assert blocked.account is None and blocked.wait_seconds > 0
    assert auth.login_wait("198.51.100.9", now=T0 + 1) == 0
    elsewhere = auth.login("leader1", "leader-pass-1", "198.51.100.9", now=T0 + 1)
    assert elsewhere.account == auth.Account("leader1", "领导")


def test_failed_logins_are_logged_without_the_password(accounts: Path) -> None:
    auth.login("u03", "Sekr1t-guess-42", "203.0.113.7", now=T0)
    auth.login("nobody\nforged line", "Sekr1t-guess-43", "203.0.113.7", now=T0 + 1)
    auth.login("u03", "unit-pass-03", "203.0.113.7", now=T0 + 2)  # a success is not logged
    log_file = auth.login_log_path()
    assert log_file == accounts.with_name("accounts.toml.login.log")
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("2027-01-15T08:00:00+00:00 登录失败")
    assert 'account="u03"' in lines[0] and "address=203.0.113.7" in lines[0]
    assert 'account="nobody?forged line"' in lines[1]  # no line breaks smuggled into the log
    text = log_file.read_text(encoding="utf-8") + auth.throttle_path().read_text(encoding="utf-8")
    assert "Sekr1t" not in text and "unit-pass" not in text


def test_throttle_file_damaged_is_not_a_crash(accounts: Path) -> None:
    auth.throttle_path().write_text("{not json", encoding="utf-8")
    assert _fail().wait_seconds == 0
    assert json.loads(auth.throttle_path().read_text(encoding="utf-8"))["entries"]


def test_throttle_unusable_refuses_logins(
    accounts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail closed: when the count cannot be kept, nobody logs in (and the page shows no path)."""
    auth.throttle_path().mkdir()  # a directory where the file should be: unreadable, unwritable
    with pytest.raises(auth.ThrottleUnavailable):
        auth.login("leader1", "leader-pass-1", "203.0.113.7", now=T0)
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    at = _gate(tmp_path)
    at.run()
    assert not at.exception and not at.text_input
    assert any("登录暂不可用" in e.value for e in at.error)
    assert str(accounts.parent) not in _texts(at)


@pytest.mark.parametrize(
    ("remote", "headers", "expected"),
    [
        ("203.0.113.7", {"X-Forwarded-For": "10.0.0.1"}, "203.0.113.7"),  # direct: headers ignored
        (None, {"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}, "203.0.113.7"),  # local proxy: last hop
        (None, {"X-Forwarded-For": "", "X-Real-IP": "2001:db8::1"}, "2001:db8::1"),
        (None, {"X-Forwarded-For": "not-an-address"}, auth.UNKNOWN_ADDRESS),
        (None, {}, auth.UNKNOWN_ADDRESS),
        (object(), None, auth.UNKNOWN_ADDRESS),  # no client connection (AppTest gives a mock)
    ],
)
def test_client_address(remote, headers, expected) -> None:
    assert auth.client_address(remote, headers) == expected


def test_scope_run_history() -> None:
    runs = pl.DataFrame(
        {
            "run_id": ["r2", "r1"],
            "raw_dir": ["/srv/zhiben/raw", None],
            "warnings": [
                "警告: hazards: hazard_id=YH2026000001 …\n警告: /srv/zhiben/raw/x/ 已忽略",
                None,
            ],
            "error": ["文件无法读取 /srv/zhiben/raw/hazards/h.csv", None],
        }
    )
    leader = auth.scope_run_history(runs, auth.Account("l", "领导"))
    assert leader["raw_dir"].to_list() == ["raw", None]
    assert "YH2026000001" in leader["warnings"][0] and "/srv" not in leader["warnings"][0]
    assert leader["error"][0] == "文件无法读取 raw/hazards/h.csv"
    unit = auth.scope_run_history(runs, auth.Account("u", "unit", "U03"))
    assert unit.schema == runs.schema
    assert unit["warnings"].to_list() == ["2 条(详情仅领导可见)", None]
    assert unit["error"].to_list() == ["构建失败(详情仅领导可见)", None]
    assert "/srv" not in str(unit.to_dicts())


# ------------------------------------------------------------------------------------- serve


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("zhiben.example.cn", False),
    ],
)
def test_is_loopback(address: str, loopback: bool) -> None:
    assert auth.is_loopback(address) is loopback


def _serve_env(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, dict | None, str]:
    seen: dict = {}

    def fake_call(cmd, env=None, **_kw):
        seen["cmd"], seen["env"] = cmd, env
        return 0

    monkeypatch.setattr("zhiben.cli.subprocess.call", fake_call)
    monkeypatch.delenv(auth.REQUIRE_LOGIN_ENV, raising=False)
    result = CliRunner().invoke(cli_app, ["serve", *args])
    return result.exit_code, seen.get("env"), result.output


def test_serve_binds_localhost_without_login(monkeypatch: pytest.MonkeyPatch, accounts) -> None:
    code, env, _ = _serve_env(monkeypatch)
    assert code == 0 and env[auth.REQUIRE_LOGIN_ENV] == "0"


def test_serve_elsewhere_requires_login(monkeypatch: pytest.MonkeyPatch, accounts) -> None:
    code, env, out = _serve_env(monkeypatch, "--address", "0.0.0.0")
    assert code == 0 and env[auth.REQUIRE_LOGIN_ENV] == "1", out
    code, env, _ = _serve_env(monkeypatch, "--require-login")
    assert code == 0 and env[auth.REQUIRE_LOGIN_ENV] == "1"


def test_serve_elsewhere_without_accounts_refuses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(auth.ACCOUNTS_ENV, str(tmp_path / "none.toml"))
    code, env, out = _serve_env(monkeypatch, "--address", "0.0.0.0")
    assert code == 2 and env is None and "zhiben user add" in out


def test_cli_user_add(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    monkeypatch.setenv(auth.ACCOUNTS_ENV, str(path))
    runner = CliRunner()
    r = runner.invoke(
        cli_app,
        ["user", "add", "王五", "--role", "unit", "--unit", "U07", "--password-stdin"],
        input="s3cret-pass\n",
    )
    assert r.exit_code == 0, r.output
    assert auth.authenticate("王五", "s3cret-pass") == auth.Account("王五", "unit", "U07")
    r = runner.invoke(
        cli_app, ["user", "add", "x", "--role", "unit", "--password-stdin"], input="s3cret-pass\n"
    )
    assert r.exit_code == 2
    r = runner.invoke(cli_app, ["user", "list"])
    assert "王五 (unit U07)" in r.output and "s3cret" not in r.output


# ------------------------------------------------------------------------------ gate (AppTest)


def _gate(tmp_path: Path) -> AppTest:
    script = tmp_path / "gate_app.py"
    script.write_text(GATE_SCRIPT, encoding="utf-8")
    return AppTest.from_file(str(script), default_timeout=30)


def _texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(e.value for e in at.error)


def _login(at: AppTest, name: str, password: str) -> None:
    at.text_input(key="zhiben_login_name").input(name)
    at.text_input(key="zhiben_login_password").input(password)
    at.button[0].click()
    at.run()


def test_gate_open_on_localhost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "0")
    at = _gate(tmp_path)
    at.run()
    assert not at.exception
    assert "SECRET-CONTENT role=领导" in _texts(at)
    assert "DETAIL-UNITS U01,U03,U05" in _texts(at)
    assert not at.text_input


def test_gate_requires_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accounts) -> None:
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    at = _gate(tmp_path)
    at.run()
    assert not at.exception
    assert "SECRET-CONTENT" not in _texts(at)
    assert at.text_input(key="zhiben_login_password").proto.type == 1  # TextInput.PASSWORD

    _login(at, "u03", "wrong-password")
    assert "SECRET-CONTENT" not in _texts(at)
    assert any("用户名或密码错误" in e.value for e in at.error)

    _login(at, "u03", "unit-pass-03")
    assert not at.exception
    assert "SECRET-CONTENT role=unit unit=U03" in _texts(at)
    assert "DETAIL-UNITS U03\n" in _texts(at) + "\n"
    assert at.session_state["zhiben_account"] == auth.Account("u03", "unit", "U03")

    # log out: back to the form
    at.sidebar.button(key="zhiben_logout").click()
    at.run()
    assert "SECRET-CONTENT" not in _texts(at)


def test_gate_locks_out_after_repeated_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accounts
) -> None:
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    at = _gate(tmp_path)
    at.run()
    for _ in range(auth.ACCOUNT_POLICY.free_failures + 1):
        _login(at, "leader1", "nope-nope")
    # a reload (a fresh session) is no way around it: even the right password is refused
    fresh = _gate(tmp_path)
    fresh.run()
    _login(fresh, "leader1", "leader-pass-1")
    assert any("次数过多" in e.value for e in fresh.error)
    assert "SECRET-CONTENT" not in _texts(fresh)
    assert "zhiben_account" not in fresh.session_state
    # another account from the same address is not locked by it
    _login(fresh, "u03", "unit-pass-03")
    assert "SECRET-CONTENT role=unit unit=U03" in _texts(fresh)


def test_gate_hides_the_form_from_a_locked_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accounts
) -> None:
    """Guessing across many names from one address locks the address: no form at all."""
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    for i in range(auth.ADDRESS_POLICY.free_failures + 1):
        at = _gate(tmp_path)  # a reload before every guess
        at.run()
        _login(at, f"guess{i}", "nope-nope")
    fresh = _gate(tmp_path)
    fresh.run()
    assert any("次数过多" in e.value for e in fresh.error)
    assert not fresh.text_input
    assert "SECRET-CONTENT" not in _texts(fresh)


def test_gate_without_accounts_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    monkeypatch.setenv(auth.ACCOUNTS_ENV, str(tmp_path / "missing.toml"))
    at = _gate(tmp_path)
    at.run()
    assert "SECRET-CONTENT" not in _texts(at)
    assert any("zhiben user add" in e.value for e in at.error)


def test_real_app_renders_no_data_before_login(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch, accounts
) -> None:
    """The real app on the demo warehouse (which has data to show) shows only the login form."""
    main = APP_DIR / "streamlit_app.py"
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(demo_warehouse))
    at = AppTest.from_file(str(main), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert at.text_input(key="zhiben_login_password")
    assert not at.dataframe and not at.table and not at.get("plotly_chart")
    assert os.environ[auth.REQUIRE_LOGIN_ENV] == "1"
