"""Stand-in for dbt's `exceptions`, for sqlfluff's jinja templater only."""


def raise_compiler_error(msg):
    raise RuntimeError(msg)
