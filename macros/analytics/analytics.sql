{#- Helpers of the analytical marts (issue 3). Portable SQL only (STYLE.md "Portability"). -#}

{#- num ÷ den as a double (dbt.type_float() is a 4-byte FLOAT on DuckDB), NULL when den is 0 or
    NULL; used by the analytical marts and the quarterly evaluation -#}
{% macro safe_share(numerator, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then null
        else cast({{ numerator }} as {{ type_double() }}) / {{ denominator }}
    end
{%- endmacro %}

{#- a double-precision float (marts keep full precision; dbt.type_float() is 32-bit on DuckDB) -#}
{% macro type_double() -%}
    double
{%- endmacro %}

{#- a 64-bit integer for summed counts (DuckDB sums to HUGEINT otherwise) -#}
{% macro bigint_type() -%}
    bigint
{%- endmacro %}
