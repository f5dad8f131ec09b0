"""The analyst notebooks (notebooks/*.ipynb): committed without outputs, and each one runs end to
end against the demo warehouse (its assertions hold the marts to their invariants).

Executed copies are written to test-artifacts/notebooks/ for reading (never back into notebooks/)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
ARTIFACTS = REPO / "test-artifacts" / "notebooks"
#: seconds per cell: the demo marts are small, a cell that needs more is a bug
CELL_TIMEOUT = 90
EXPECTED = [
    "01_hazard_analysis.ipynb",
    "02_quarterly_evaluation.ipynb",
    "03_accident_trend.ipynb",
    "04_data_quality.ipynb",
    "05_prevention.ipynb",
]


def test_the_five_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    """Outputs are stripped before commit (`jupyter nbconvert --clear-output --inplace`)."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; strip them with "
        f"`.venv/bin/jupyter nbconvert --clear-output --inplace notebooks/*.ipynb`"
    )
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    # every notebook explains itself in Chinese
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def test_python3_kernel_is_this_interpreter() -> None:
    """nbclient starts the `python3` kernelspec; jupyter_client runs a spec whose argv[0] is
    `python` with the current interpreter, so the kernel sees this venv's packages."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] in {"python", "python3", sys.executable}, spec.argv


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_on_the_demo_warehouse(
    path: Path, demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbclient import NotebookClient

    # the kernel inherits this environment: the notebooks read $ZHIBEN_WAREHOUSE
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(demo_warehouse))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    t0 = time.perf_counter()
    try:
        client.execute()
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, ARTIFACTS / path.name)
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors, errors
    # the findings are printed in Chinese: every notebook prints at least one 结论 line
    text = "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream"
    )
    assert "结论" in text, f"{path.name} printed no finding (结论)"
    print(f"{path.name}: {time.perf_counter() - t0:.1f} s")


def test_a_broken_mart_fails_its_notebook(
    demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notebooks' assertions are real checks: unbalance one file of the reconciliation and
    04_data_quality must stop with an AssertionError."""
    import shutil

    import duckdb
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    broken = tmp_path / "broken.duckdb"
    shutil.copy(demo_warehouse, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute(
            "update mart_load_reconciliation set rows_loaded = rows_loaded - 1 "
            "where file = (select min(file) from mart_load_reconciliation where rows_loaded > 0)"
        )
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(broken))
    nb = nbformat.read(NOTEBOOK_DIR / "04_data_quality.ipynb", as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    with pytest.raises(CellExecutionError, match="AssertionError"):
        client.execute()
