"""The login gate: `streamlit_app.py` calls `require_login()` first, before any page runs.

- Served on localhost only (`ZHIBEN_REQUIRE_LOGIN` unset or 0): no login, the local user is a 领导.
- Otherwise: a login form; nothing else renders until a name and password from the accounts file
  (`zhiben user add`) match. The account is kept in the session (`st.session_state`), shown in the
  sidebar with a 退出登录 button, and returned: pages scope record-level detail with
  `zhiben.auth.read_mart(account, ...)` / `filter_detail(df, account)`.
- Wrong passwords are throttled per account and per client address across every session and
  process (`zhiben.auth.login`: reloading the page does not reset it) and logged without the password.
"""

from __future__ import annotations

import streamlit as st

from zhiben import auth

SESSION_KEY = "zhiben_account"


def current_account() -> auth.Account | None:
    """The logged-in account (or the local 领导 when no login is required), else None."""
    if not auth.login_required():
        return auth.LOCAL_ACCOUNT
    account = st.session_state.get(SESSION_KEY)
    return account if isinstance(account, auth.Account) else None


def logout() -> None:
    st.session_state.pop(SESSION_KEY, None)


def require_login() -> auth.Account:
    """Return the account allowed to use the app; until there is one, show the login form and
    stop the script (st.stop), so no page and no data is rendered."""
    account = current_account()
    if account is not None:
        if auth.login_required():
            with st.sidebar:
                st.caption(f"已登录: {account.label}")
                if st.button("退出登录", key="zhiben_logout"):
                    logout()
                    st.rerun()
        return account
    _login_form()
    st.stop()
    raise RuntimeError("unreachable")  # st.stop() raises; keeps type checkers honest


def _login_form() -> None:
    st.title("治本攻坚 数据分析 — 登录")
    path = auth.accounts_path()
    if not path.exists():
        st.error(
            "此服务需要登录，但尚未配置账户。请管理员在服务器上运行 "
            "`zhiben user add 用户名 --role 领导` 创建账户。"
        )
        return
    address = client_address()
    try:
        wait = auth.login_wait(address)
        if wait > 0:
            _too_many(wait)
            return
        with st.form("zhiben_login"):
            name = st.text_input("用户名", key="zhiben_login_name")
            password = st.text_input("密码", type="password", key="zhiben_login_password")
            submitted = st.form_submit_button("登录")
        if not submitted:
            return
        result = auth.login(name, password, address)
    except auth.ThrottleUnavailable as exc:  # details (the path) go to the server log only
        st.error(str(exc))
        return
    if result.account is None:
        if result.wait_seconds > 0:
            _too_many(result.wait_seconds)
        else:
            st.error("用户名或密码错误")
        return
    st.session_state[SESSION_KEY] = result.account
    st.rerun()


def _too_many(wait: float) -> None:
    st.error(f"登录失败次数过多，请 {int(wait) + 1} 秒后再试。")


def client_address() -> str:
    """The client's address (`st.context.ip_address`; behind a reverse proxy on this machine, the
    address it forwards), the key of the per-address throttle."""
    try:
        headers = st.context.headers
        forwarded = {
            "X-Forwarded-For": ", ".join(headers.get_all("X-Forwarded-For")),
            "X-Real-IP": headers.get("X-Real-IP") or "",
        }
        return auth.client_address(st.context.ip_address, forwarded)
    except Exception:  # no client connection (bare script run): one shared key
        return auth.UNKNOWN_ADDRESS


def scope(df, unit_column: str = "unit_code"):
    """For pages: the rows of a record-level frame (hazards, accidents, ledgers, quarantine …)
    that the logged-in account may see in detail. Rankings and aggregates need no scoping."""
    account = current_account()
    if account is None:  # require_login() has not run: show nothing rather than everything
        return df.clear()
    return auth.filter_detail(df, account, unit_column)
