"""Stand-in for dbt's `graph`, for sqlfluff's jinja templater only: one model of schema marts
(data_tests that walk the graph then render the SQL they emit per model)."""

nodes = {
    "model.zhiben.fct_example": {
        "resource_type": "model",
        "database": "build",
        "schema": "marts",
        "alias": "fct_example",
    }
}
