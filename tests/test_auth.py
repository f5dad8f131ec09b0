"""Access: accounts with salted password hashes, roles, the serve address rule, the app's login
gate (Streamlit AppTest). No demo build needed."""

from __future__ import annotations

import os
import stat
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
    for _ in range(5):
        _login(at, "leader1", "nope-nope")
    at.run()
    assert any("次数过多" in e.value for e in at.error)
    assert not at.text_input  # no form while locked out
    assert "SECRET-CONTENT" not in _texts(at)


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
