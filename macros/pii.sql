{#- The contract columns of kind pii / pii_id (src/zhiben/contract.py): never in a mart. -#}
{% macro pii_column_list() -%}
    'principal_name', 'principal_id_number', 'phone', 'id_number', 'person_name',
    'reporter_name', 'reporter_phone'
{%- endmacro %}
