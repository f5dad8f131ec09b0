"""Stand-in for dbt's `adapter`, for sqlfluff's jinja templater only."""


#: the DuckDB renderings of the project's dispatched macros (macros/engines/*.sql) that models
#: and data tests call, so that sqlfluff lints the SQL DuckDB runs
_DUCKDB = {
    "keep_first": lambda relation, partition_by, order_by: (
        f"select * from {relation} qualify row_number() over "
        f"(partition by {partition_by} order by {order_by}) = 1"
    ),
    "regexp_contains": lambda value, pattern: f"regexp_matches({value}, '{pattern}')",
    "regexp_each_match": lambda value, pattern, group: (
        f"unnest(regexp_extract_all({value}, '{pattern}', {group}))"
    ),
    "try_cast_to": lambda field, type_: f"try_cast({field} as {type_})",
}


def dispatch(macro_name, macro_namespace=None):
    if macro_name in _DUCKDB:
        return _DUCKDB[macro_name]

    def render(*args, **kwargs):
        return "select cast(null as date) as date_day"

    return render


class _Column:
    def __init__(self, name, string):
        self.name = name
        self._string = string

    def is_string(self):
        return self._string


def get_relation(database, schema, identifier):
    return f"{schema}.{identifier}"


def get_columns_in_relation(relation):
    return [_Column("description", True), _Column("phone", False)]


def quote(identifier):
    return f'"{identifier}"'
