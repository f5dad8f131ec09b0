"""Benchmark of the zhiben build (issue 8): `python -m bench --scale district [--scale city …]`.

Per scale, on one cached CLEAN drop (`data/bench/<scale>/raw`, keyed by scale + seed + as-of):

- the full build (`zhiben build` as a child process): wall time, peak RSS of its process tree,
  the stages ingest / dbt / publish;
- the floor: one hand-written DuckDB SQL script (`bench/floor.sql`) computing fct_hazards,
  mart_region_industry_stats and the last full quarter of mart_quarterly_evaluation straight from
  the raw CSV files;
- the pandas pipeline an analyst would otherwise write for the same three outputs
  (`bench/pandas_pipeline.py`);
- the agreement of the floor and of pandas with the warehouse, column by column (checked before
  the timings are reported);
- the latency of every app page's queries (`zhiben.app_logic.queries`) on the built warehouse.

Modules: drop (generate + cache), proc (child process timing and RSS), floor, pandas_pipeline,
agree, pages, report; __main__ ties them together."""
