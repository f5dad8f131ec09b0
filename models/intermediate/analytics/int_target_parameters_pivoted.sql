-- the numbers the 安委会 may change (seed target_parameters), one typed column each, one row
with

parameters as (

    select * from {{ ref('target_parameters') }}

),

final as (

    select
        {%- for name, type in [
            ('plan_start_date', 'date'),
            ('stock_cutoff_date', 'date'),
            ('training_since_date', 'date'),
            ('work_injury_training_task_people', dbt.type_int()),
            ('certificate_due_window_days', dbt.type_int()),
            ('certificate_validity_years', dbt.type_int()),
            ('certificate_review_years', dbt.type_int()),
            ('four_no_excludes_comprehensive_from_year', dbt.type_int()),
            ('report_closure_min_age_days', dbt.type_int()),
        ] %}
            cast(
                max(case when parameter_name = '{{ name }}' then parameter_value end) as {{ type }}
            ) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from parameters

)

select * from final
