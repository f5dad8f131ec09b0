"""Stand-in for dbt's `adapter`, for sqlfluff's jinja templater only."""


def dispatch(macro_name, macro_namespace=None):
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
