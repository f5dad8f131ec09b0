"""Logic behind the leaders' Streamlit app (`app/`): queries on the served warehouse, plotly figure
builders, Chinese labels and the xlsx export. Nothing here imports Streamlit except `ui`, so tests
and notebooks can use the rest directly."""
