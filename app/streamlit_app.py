"""治本攻坚 — the leaders' app. Entry point: the login gate (when served beyond localhost), the
sidebar filters (kept in session_state across pages), then the page chosen in the navigation.
Pages live in app_pages/ and stay thin: the logic is in `zhiben.app_logic`."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
if str(HERE) not in sys.path:  # auth_gate.py sits beside this script
    sys.path.insert(0, str(HERE))

from auth_gate import require_login  # noqa: E402

from zhiben.app_logic import ui  # noqa: E402
from zhiben.docs import running_url  # noqa: E402
from zhiben.warehouse import warehouse_path  # noqa: E402

st.set_page_config(page_title="治本攻坚 · 山亭区安全生产", page_icon="🛡️", layout="wide")
st.session_state[ui.ACCOUNT_KEY] = require_login()  # nothing below runs before a login

PAGES = [
    ("overview.py", "总览", ":material/dashboard:"),
    ("monthly.py", "月调度", ":material/calendar_month:"),
    ("region_industry.py", "分区域分行业", ":material/grid_on:"),
    ("major_hazards.py", "重大隐患清单", ":material/warning:"),
    ("accidents.py", "事故分析", ":material/emergency:"),
    ("enforcement.py", "执法检查", ":material/gavel:"),
    ("training.py", "培训演练", ":material/school:"),
    ("prevention.py", "技防与自查", ":material/sensors:"),
    ("evaluation.py", "季度考评排名", ":material/leaderboard:"),
    ("targets.py", "三年目标进度", ":material/flag:"),
    ("plan_tasks.py", "挂图作战", ":material/view_timeline:"),
    ("reports.py", "举报处理", ":material/campaign:"),
    ("data_quality.py", "数据质量", ":material/fact_check:"),
]

nav = st.navigation(
    [
        st.Page(HERE / "app_pages" / file, title=title, icon=icon, default=i == 0)
        for i, (file, title, icon) in enumerate(PAGES)
    ],
    # every page in the sidebar (13 pages: collapsed, Streamlit would hide some behind "more")
    expanded=True,
)
ui.fingerprint()  # a Chinese message and stop when there is no warehouse file
st.sidebar.markdown("## :material/shield: 治本攻坚三年行动")
if docs_url := running_url(warehouse_path()):  # `zhiben docs` is serving the catalog
    st.sidebar.link_button("数据目录 (字段说明与血缘)", docs_url, icon=":material/menu_book:")
st.session_state["_filters"] = ui.sidebar_filters(page=nav.url_path)
ui.warm_up()
nav.run()
