-- one row per report (举报) in its state as of D; no reporter field at all (举报人保密, §二.17)
with

reports as (

    select * from {{ ref('int_reports_current') }}

),

final as (

    select
        report_id,
        credit_code,
        unit_code,
        industry_code,
        channel,
        verification,
        {{ month_key('received_date') }} as month,
        {{ quarter_key('received_date') }} as quarter,
        {{ year_key('received_date') }} as year,
        reward_yuan,
        involves_major_hazard,
        is_anonymous,
        coalesce(verification is not null and verification != '核查中', false) as is_verified,
        feedback_date is not null as has_feedback,
        is_known_enterprise,
        received_date,
        feedback_date,
        updated_at
    from reports

)

select * from final
