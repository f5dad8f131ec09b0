"""Stand-ins for the dbt cross-database macros, for sqlfluff's jinja templater only.

(The dbt templater would render the real ones but costs a dbt parse per lint; these render
SQL of the same shape on DuckDB.)"""


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + interval ({interval}) {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def last_day(date, datepart):
    return f"last_day({date})"


def type_string():
    return "varchar"


def type_int():
    return "integer"


def concat(fields):
    return f"concat({', '.join(fields)})"


def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    order = f" {order_by_clause}" if order_by_clause else ""
    return f"string_agg({measure}, {delimiter_text}{order})"
