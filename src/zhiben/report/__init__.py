"""The quarterly 通报 (xlsx) and the re-ranking of the 晾晒考评 under other weights.

Both read only the served warehouse (zhiben.warehouse): the ranking from
`mart_quarterly_evaluation`, the method from `mart_evaluation_method`."""

from zhiben.report.rank import load_weights, rerank
from zhiben.report.workbook import write_report

__all__ = ["load_weights", "rerank", "write_report"]
