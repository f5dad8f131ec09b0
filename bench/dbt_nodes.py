"""Where dbt's time goes, from the run_results.json a build leaves in <warehouse dir>/.zhiben-build/
target: nodes and summed execution time per kind (seed, model, data test, unit test), the slowest
nodes, and dbt's own elapsed time (the rest of the dbt stage is process start, parse, compile)."""

from __future__ import annotations

import json
from pathlib import Path


def summarise(target_dir: Path, top: int = 8) -> dict[str, object]:
    path = target_dir / "run_results.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    kinds: dict[str, dict[str, float]] = {}
    nodes = []
    for r in data.get("results", []):
        uid = str(r.get("unique_id", ""))
        kind = uid.split(".", 1)[0]
        t = float(r.get("execution_time") or 0.0)
        k = kinds.setdefault(kind, {"nodes": 0, "seconds": 0.0})
        k["nodes"] += 1
        k["seconds"] += t
        nodes.append((t, uid))
    nodes.sort(reverse=True)
    return {
        "elapsed": float(data.get("elapsed_time") or 0.0),
        "kinds": {
            k: {"nodes": int(v["nodes"]), "seconds": round(v["seconds"], 2)}
            for k, v in kinds.items()
        },
        "slowest": [(uid.split(".", 2)[-1], round(t, 2)) for t, uid in nodes[:top]],
    }


def table(per_scale: dict[str, dict]) -> str:
    kinds = sorted({k for s in per_scale.values() for k in s.get("kinds", {})})
    if not kinds:
        return ""
    head = "| scale | dbt elapsed s | " + " | ".join(f"{k}: nodes / Σ s" for k in kinds) + " |"
    rows = [head, "|---|---:|" + "---:|" * len(kinds)]
    for scale, s in per_scale.items():
        cells = []
        for k in kinds:
            v = s.get("kinds", {}).get(k)
            cells.append("–" if v is None else f"{v['nodes']} / {v['seconds']:.1f}")
        rows.append(f"| {scale} | {s.get('elapsed', 0):.1f} | " + " | ".join(cells) + " |")
    for scale, s in per_scale.items():
        slow = ", ".join(f"{n} {t:.1f}" for n, t in s.get("slowest", []))
        rows.append(f"\n{scale} slowest dbt nodes (s): {slow}")
    return "\n".join(rows)
