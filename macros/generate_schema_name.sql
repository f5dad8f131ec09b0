{#- The custom schema (staging / intermediate / marts / seeds) is used as is, without the
    target schema as prefix: zhiben.publish copies schema `marts` by that name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
