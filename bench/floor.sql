-- The floor (issue 8): ONE hand-written DuckDB script that computes, straight from a CLEAN raw
-- drop (UTF-8 CSV, canonical town names, ISO dates), the three outputs the benchmark compares:
--   floor_fct_hazards            = marts.fct_hazards (current state as of D)
--   floor_region_industry_stats  = marts.mart_region_industry_stats (quarter × unit × industry)
--   floor_quarterly_evaluation   = marts.mart_quarterly_evaluation, the last full quarter
-- It follows SPEC §3, §5, §7 and §9 with no validation, no quarantine, no PII handling: what DuckDB
-- alone costs for these numbers. Run it after
--   SET VARIABLE raw_dir = '<drop>'; SET VARIABLE seeds_dir = '<repo>/seeds';
--   SET VARIABLE as_of = DATE 'YYYY-MM-DD';
-- (bench/floor.py does). Of two versions with equal 更新时间 the one from the later file wins (the
-- warehouse also orders rows within a file; the clean drop has no such ties).

-- ------------------------------------------------------------------ reference data (seeds)
create or replace temp table units as
select * from read_csv(getvariable('seeds_dir') || '/units.csv', header = true, all_varchar = true);

create or replace temp table town_units as
select unit_name as name, unit_code from units
union
select alias as name, unit_code
from read_csv(getvariable('seeds_dir') || '/unit_aliases.csv', header = true, all_varchar = true);

create or replace temp table industries as
select industry_code, industry_name
from read_csv(getvariable('seeds_dir') || '/industries.csv', header = true, all_varchar = true);

create or replace temp table grade_thresholds as
select
    grade,
    cast(grade_rank as integer) as grade_rank,
    cast(min_deaths as integer) as min_deaths,
    cast(min_serious_injuries as integer) as min_serious_injuries,
    cast(min_direct_loss_10k_yuan as double) as min_loss
from read_csv(getvariable('seeds_dir') || '/accident_grade_thresholds.csv', header = true, all_varchar = true);

create or replace temp table escalation_bands as
select
    escalation,
    cast(min_overdue_days as integer) as min_days,
    cast(nullif(max_overdue_days, '') as integer) as max_days
from read_csv(getvariable('seeds_dir') || '/escalation_bands.csv', header = true, all_varchar = true);

create or replace temp table weights as
select indicator_id, cast(weight as double) as weight
from read_csv(getvariable('seeds_dir') || '/evaluation_indicators.csv', header = true, all_varchar = true)
where scope = 'unit';

create or replace temp table deduction_rules as
select
    rule_id,
    rule_type,
    nullif(accident_grade, '') as accident_grade,
    cast(nullif(points_per_item, '') as double) as points,
    cast(nullif(cap_points, '') as double) as cap
from read_csv(getvariable('seeds_dir') || '/evaluation_deductions.csv', header = true, all_varchar = true);

create or replace temp table params as
select parameter_name, parameter_value
from read_csv(getvariable('seeds_dir') || '/target_parameters.csv', header = true, all_varchar = true);

create or replace temp table four_no_targets as
select cast(milestone_date as date) as milestone_date, cast(target_value as double) as target_value
from read_csv(getvariable('seeds_dir') || '/target_milestones.csv', header = true, all_varchar = true)
where target_id = 'T6';

-- ------------------------------------------------------------------ raw extracts, versions <= D
-- every enterprise version known by D (its state at any t <= D is the latest one by t)
create or replace temp table ent_versions as
select
    e.credit_code,
    tu.unit_code,
    i.industry_code,
    e.operating_status,
    e.principal_id_number,
    e.updated_at,
    e.filename
from read_csv(
    getvariable('raw_dir') || '/enterprises/*.csv', header = true, filename = true,
    auto_detect = false, delim = ',', quote = '"', escape = '"',
    columns = {
        'credit_code': 'VARCHAR', 'enterprise_name': 'VARCHAR', 'town': 'VARCHAR',
        'industry': 'VARCHAR', 'scale': 'VARCHAR', 'is_high_risk': 'VARCHAR',
        'has_major_hazard_source': 'VARCHAR', 'standardization_level': 'VARCHAR',
        'operating_status': 'VARCHAR', 'principal_name': 'VARCHAR',
        'principal_id_number': 'VARCHAR', 'phone': 'VARCHAR',
        -- SPEC §10.1's optional columns (phase 2): read, not used by the phase-1 figures
        'is_confined_space': 'VARCHAR', 'is_explosive_dust': 'VARCHAR',
        'dust_workers': 'VARCHAR', 'is_ammonia_refrigeration': 'VARCHAR',
        'is_oil_gas_storage': 'VARCHAR', 'open_pit_slope_m': 'VARCHAR', 'risk_level': 'VARCHAR',
        'standardization_date': 'VARCHAR', 'updated_at': 'TIMESTAMP'
    }
) as e
left join town_units as tu on e.town = tu.name
left join industries as i on e.industry = i.industry_name
where e.updated_at < getvariable('as_of') + interval 1 day;

create or replace temp table ent_current as
select * from ent_versions
qualify row_number() over (partition by credit_code order by updated_at desc, filename desc) = 1;

-- ------------------------------------------------------------------ fct_hazards
create or replace table floor_fct_hazards as
with versions as (
    select *
    from read_csv(
        getvariable('raw_dir') || '/hazards/*.csv', header = true, filename = true,
        auto_detect = false, delim = ',', quote = '"', escape = '"',
        columns = {
            'hazard_id': 'VARCHAR', 'credit_code': 'VARCHAR', 'town': 'VARCHAR',
            'industry': 'VARCHAR', 'source': 'VARCHAR', 'level': 'VARCHAR', 'category': 'VARCHAR',
            'campaign': 'VARCHAR', 'description': 'VARCHAR', 'found_date': 'DATE',
            'deadline': 'DATE', 'status': 'VARCHAR', 'rectified_date': 'DATE',
            'closed_date': 'DATE', 'is_listed_supervision': 'VARCHAR',
            'supervision_level': 'VARCHAR', 'funds_10k_yuan': 'DOUBLE', 'department': 'VARCHAR',
            'supervision_measures': 'VARCHAR', 'supervision_date': 'VARCHAR',
            'verification_method': 'VARCHAR', 'verified_date': 'VARCHAR',
            'updated_at': 'TIMESTAMP'
        }
    )
    where updated_at < getvariable('as_of') + interval 1 day
    qualify row_number() over (partition by hazard_id order by updated_at desc, filename desc) = 1
),

resolved as (
    select
        v.hazard_id,
        v.credit_code,
        coalesce(tu.unit_code, e.unit_code) as unit_code,
        coalesce(i.industry_code, e.industry_code) as industry_code,
        v.level,
        v.source,
        v.campaign,
        v.status,
        v.found_date,
        v.deadline,
        v.rectified_date,
        v.closed_date,
        coalesce(v.is_listed_supervision = '是', false) as is_listed_supervision,
        coalesce(
            v.status in ('已整改', '已销号') and v.rectified_date <= getvariable('as_of'), false
        ) as is_rectified
    from versions as v
    left join ent_current as e on v.credit_code = e.credit_code
    left join town_units as tu on v.town = tu.name
    left join industries as i on v.industry = i.industry_name
    where v.found_date <= getvariable('as_of')
),

flagged as (
    select
        *,
        coalesce(not is_rectified and deadline < getvariable('as_of'), false) as is_overdue
    from resolved
)

select
    f.hazard_id,
    f.credit_code,
    f.unit_code,
    f.industry_code,
    f.level,
    f.source,
    f.campaign,
    f.found_date,
    f.deadline,
    f.status,
    f.rectified_date,
    f.closed_date,
    f.level = '重大隐患' as is_major,
    f.is_rectified,
    f.is_overdue,
    case when f.is_overdue then getvariable('as_of') - f.deadline else 0 end as overdue_days,
    case when f.is_rectified then f.rectified_date <= f.deadline end as rectified_on_time,
    f.found_date <= date '2023-12-31' as is_stock_2023,
    f.is_listed_supervision,
    b.escalation
from flagged as f
left join escalation_bands as b
    on
        f.level = '重大隐患'
        and (case when f.is_overdue then getvariable('as_of') - f.deadline else 0 end)
        between b.min_days and coalesce(b.max_days, 2147483647);

-- ------------------------------------------------------------------ other facts, state as of D
create or replace temp table accidents as
with versions as (
    select *
    from read_csv(
        getvariable('raw_dir') || '/accidents/*.csv', header = true, filename = true,
        auto_detect = false, delim = ',', quote = '"', escape = '"',
        columns = {
            'accident_id': 'VARCHAR', 'occurred_at': 'TIMESTAMP', 'town': 'VARCHAR',
            'credit_code': 'VARCHAR', 'industry': 'VARCHAR', 'accident_type': 'VARCHAR',
            'deaths': 'INTEGER', 'missing': 'INTEGER', 'serious_injuries': 'INTEGER',
            'minor_injuries': 'INTEGER', 'direct_loss_10k_yuan': 'DOUBLE',
            'grade_reported': 'VARCHAR', 'is_liability': 'VARCHAR', 'is_concealed': 'VARCHAR',
            'reported_at': 'TIMESTAMP', 'investigation_closed_date': 'DATE',
            'description': 'VARCHAR', 'updated_at': 'TIMESTAMP'
        }
    )
    where updated_at < getvariable('as_of') + interval 1 day
    qualify row_number() over (partition by accident_id order by updated_at desc, filename desc) = 1
),

resolved as (
    select
        v.accident_id,
        coalesce(tu.unit_code, e.unit_code) as unit_code,
        coalesce(i.industry_code, e.industry_code) as industry_code,
        cast(v.occurred_at as date) as occurred_date,
        coalesce(v.deaths, 0) + coalesce(v.missing, 0) as deaths,
        coalesce(v.serious_injuries, 0) as serious_injuries,
        coalesce(v.direct_loss_10k_yuan, 0) as loss,
        coalesce(v.is_concealed = '是', false) as is_concealed
    from versions as v
    left join ent_current as e on v.credit_code = e.credit_code
    left join town_units as tu on v.town = tu.name
    left join industries as i on v.industry = i.industry_name
    where v.occurred_at < getvariable('as_of') + interval 1 day
)

select
    r.*,
    (
        select t.grade from grade_thresholds as t
        where r.deaths >= t.min_deaths or r.serious_injuries >= t.min_serious_injuries
            or r.loss >= t.min_loss
        order by t.grade_rank desc limit 1
    ) as grade
from resolved as r;

create or replace temp table inspections as
select
    coalesce(tu.unit_code, e.unit_code) as unit_code,
    e.industry_code,
    v.inspection_date
from (
    select *
    from read_csv(
        getvariable('raw_dir') || '/inspections/*.csv', header = true, filename = true,
        auto_detect = false, delim = ',', quote = '"', escape = '"',
        columns = {
            'inspection_id': 'VARCHAR', 'inspection_date': 'DATE', 'department': 'VARCHAR',
            'credit_code': 'VARCHAR', 'town': 'VARCHAR', 'method': 'VARCHAR',
            'campaign': 'VARCHAR', 'hazards_found': 'INTEGER', 'major_hazards_found': 'INTEGER',
            'case_opened': 'VARCHAR', 'updated_at': 'TIMESTAMP'
        }
    )
    where updated_at < getvariable('as_of') + interval 1 day
    qualify row_number() over (partition by inspection_id order by updated_at desc, filename desc) = 1
) as v
left join ent_current as e on v.credit_code = e.credit_code
left join town_units as tu on v.town = tu.name
where v.inspection_date <= getvariable('as_of');

create or replace temp table penalties as
select
    coalesce(tu.unit_code, e.unit_code) as unit_code,
    e.industry_code,
    v.decided_date,
    coalesce(v.fine_entity_yuan, 0) + coalesce(v.fine_person_yuan, 0) as fines_yuan
from (
    select *
    from read_csv(
        getvariable('raw_dir') || '/penalties/*.csv', header = true, filename = true,
        auto_detect = false, delim = ',', quote = '"', escape = '"',
        columns = {
            'penalty_id': 'VARCHAR', 'inspection_id': 'VARCHAR', 'credit_code': 'VARCHAR',
            'town': 'VARCHAR', 'department': 'VARCHAR', 'decided_date': 'DATE',
            'penalty_kinds': 'VARCHAR', 'fine_entity_yuan': 'DOUBLE', 'fine_person_yuan': 'DOUBLE',
            'transferred_to_judiciary': 'VARCHAR', 'updated_at': 'TIMESTAMP'
        }
    )
    where updated_at < getvariable('as_of') + interval 1 day
    qualify row_number() over (partition by penalty_id order by updated_at desc, filename desc) = 1
) as v
left join ent_current as e on v.credit_code = e.credit_code
left join town_units as tu on v.town = tu.name
where v.decided_date <= getvariable('as_of');

-- ------------------------------------------------------------------ mart_region_industry_stats
create or replace temp table quarters as
select
    year(qs) || 'Q' || quarter(qs) as quarter,
    year(qs) as year,
    cast(qs as date) as quarter_start,
    cast(qs + interval 3 month - interval 1 day as date) as quarter_end,
    least(cast(qs + interval 3 month - interval 1 day as date), getvariable('as_of')) as quarter_as_of
from range(
    timestamp '2023-01-01',
    cast(getvariable('as_of') as timestamp) + interval 1 day,
    interval 3 month
) as t (qs);

create or replace table floor_region_industry_stats as
with other as (select industry_code from industries where industry_name = '其他'),

h_found as (
    select
        year(found_date) || 'Q' || quarter(found_date) as quarter, unit_code, industry_code,
        count(*) as hazards_found,
        count(*) filter (where is_major) as major_hazards_found
    from floor_fct_hazards group by all
),

h_rect as (
    select
        year(rectified_date) || 'Q' || quarter(rectified_date) as quarter, unit_code, industry_code,
        count(*) as hazards_rectified
    from floor_fct_hazards where is_rectified group by all
),

h_open as (
    select q.quarter, h.unit_code, h.industry_code, count(*) as open_overdue_at_quarter_end
    from quarters as q
    inner join floor_fct_hazards as h
        on
            h.found_date <= q.quarter_as_of
            and not (h.is_rectified and h.rectified_date <= q.quarter_as_of)
            and h.deadline < q.quarter_as_of
    group by all
),

acc as (
    select
        year(occurred_date) || 'Q' || quarter(occurred_date) as quarter, unit_code, industry_code,
        count(*) as accidents, sum(deaths) as deaths
    from accidents group by all
),

insp as (
    select
        year(inspection_date) || 'Q' || quarter(inspection_date) as quarter, unit_code,
        coalesce(inspections.industry_code, other.industry_code) as industry_code,
        count(*) as inspections
    from inspections, other group by all
),

pen as (
    select
        year(decided_date) || 'Q' || quarter(decided_date) as quarter, unit_code,
        coalesce(penalties.industry_code, other.industry_code) as industry_code,
        count(*) as penalty_cases, sum(fines_yuan) as fines_yuan
    from penalties, other group by all
)

select
    q.quarter,
    u.unit_code,
    i.industry_code,
    q.year,
    coalesce(hf.hazards_found, 0) as hazards_found,
    coalesce(hf.major_hazards_found, 0) as major_hazards_found,
    coalesce(hr.hazards_rectified, 0) as hazards_rectified,
    coalesce(ho.open_overdue_at_quarter_end, 0) as open_overdue_at_quarter_end,
    coalesce(a.accidents, 0) as accidents,
    coalesce(a.deaths, 0) as deaths,
    coalesce(ins.inspections, 0) as inspections,
    coalesce(p.penalty_cases, 0) as penalty_cases,
    coalesce(p.fines_yuan, 0) as fines_yuan,
    q.quarter_start,
    q.quarter_end,
    q.quarter_as_of
from quarters as q
cross join units as u
cross join industries as i
left join h_found as hf using (quarter, unit_code, industry_code)
left join h_rect as hr using (quarter, unit_code, industry_code)
left join h_open as ho using (quarter, unit_code, industry_code)
left join acc as a using (quarter, unit_code, industry_code)
left join insp as ins using (quarter, unit_code, industry_code)
left join pen as p using (quarter, unit_code, industry_code);

-- ------------------------------------------------------------------ mart_quarterly_evaluation
-- the last full quarter (ended on or before D) and the one before it (for prev_rank), from 2024
create or replace temp table eq as
with last_two as (
    select * from quarters
    where quarter_end <= getvariable('as_of') and year >= 2024
    order by quarter_start desc limit 2
)

select
    quarter,
    year,
    quarter_start,
    quarter_end,
    quarter_end as period_end,
    cast(date_trunc('year', quarter_start) as date) as year_start,
    cast(date_trunc('year', quarter_start) - interval 1 year as date) as prev_year_start,
    cast(quarter_end - interval 1 year as date) as prev_year_period_end,
    lag(quarter) over (order by quarter_start) as previous_quarter,
    (
        select t.target_value from four_no_targets as t
        where year(t.milestone_date) <= last_two.year
        order by t.milestone_date desc limit 1
    ) as four_no_target
from last_two;

create or replace temp table training_principal as
select v.credit_code, v.id_number, v.training_date
from (
    select *
    from read_csv(
        getvariable('raw_dir') || '/training/*.csv', header = true, filename = true,
        auto_detect = false, delim = ',', quote = '"', escape = '"',
        columns = {
            'training_id': 'VARCHAR', 'id_number': 'VARCHAR', 'person_name': 'VARCHAR',
            'credit_code': 'VARCHAR', 'person_role': 'VARCHAR', 'training_type': 'VARCHAR',
            'special_work_type': 'VARCHAR', 'training_date': 'DATE', 'hours': 'DOUBLE',
            'exam_result': 'VARCHAR', 'certificate_no': 'VARCHAR',
            'certificate_valid_until': 'DATE', 'updated_at': 'TIMESTAMP'
        }
    )
    where updated_at < getvariable('as_of') + interval 1 day
    qualify row_number() over (partition by training_id order by updated_at desc, filename desc) = 1
) as v
where
    v.training_date <= getvariable('as_of')
    and v.training_type = '主要负责人专题培训'
    and v.person_role = '主要负责人'
    and v.exam_result = '合格'
    and v.training_date >= (
        select cast(parameter_value as date) from params where parameter_name = 'training_since_date'
    );

create or replace temp table enterprise_drills as
select coalesce(tu.unit_code, e.unit_code) as unit_code, v.drill_date, v.drill_type, v.is_four_no
from (
    select *
    from read_csv(
        getvariable('raw_dir') || '/drills/*.csv', header = true, filename = true,
        auto_detect = false, delim = ',', quote = '"', escape = '"',
        columns = {
            'drill_id': 'VARCHAR', 'organiser_type': 'VARCHAR', 'credit_code': 'VARCHAR',
            'organiser_name': 'VARCHAR', 'town': 'VARCHAR', 'drill_date': 'DATE',
            'drill_type': 'VARCHAR', 'is_four_no': 'VARCHAR', 'participants': 'INTEGER',
            'updated_at': 'TIMESTAMP'
        }
    )
    where updated_at < getvariable('as_of') + interval 1 day
    qualify row_number() over (partition by drill_id order by updated_at desc, filename desc) = 1
) as v
left join ent_current as e on v.credit_code = e.credit_code
left join town_units as tu on v.town = tu.name
where v.drill_date <= getvariable('as_of') and v.organiser_type = '企业';

create or replace table floor_quarterly_evaluation as
with hz as (
    select
        q.quarter, h.unit_code,
        count(*) filter (where h.is_major) as major_hazards,
        count(*) filter (where h.is_major and h.is_rectified and h.rectified_date <= q.period_end)
            as major_hazards_rectified,
        count(*) filter (where h.deadline between q.quarter_start and q.period_end) as hazards_due,
        count(*) filter (
            where h.deadline between q.quarter_start and q.period_end
            and h.is_rectified and h.rectified_date <= h.deadline
        ) as hazards_due_rectified_on_time,
        count(*) filter (where h.found_date >= q.quarter_start) as hazards_found,
        count(*) filter (
            where h.is_major and h.is_listed_supervision
            and not coalesce(h.is_rectified and h.rectified_date <= q.period_end, false)
            and h.deadline < q.period_end
        ) as listed_overdue_major_hazards
    from floor_fct_hazards as h
    inner join eq as q on h.found_date <= q.period_end
    group by all
),

acc as (
    select
        q.quarter, a.unit_code,
        count(*) filter (where a.occurred_date >= q.year_start) as accidents_ytd,
        coalesce(sum(a.deaths) filter (where a.occurred_date >= q.year_start), 0) as deaths_ytd,
        count(*) filter (where a.occurred_date <= q.prev_year_period_end) as accidents_prev_ytd,
        coalesce(sum(a.deaths) filter (where a.occurred_date <= q.prev_year_period_end), 0)
            as deaths_prev_ytd,
        count(*) filter (
            where a.occurred_date >= q.quarter_start and a.grade = (
                select accident_grade from deduction_rules where rule_id = 'deduction_major_accidents'
            )
        ) as larger_accidents,
        count(*) filter (where a.occurred_date >= q.quarter_start and a.is_concealed)
            as concealed_accidents,
        count(*) filter (
            where a.occurred_date >= q.quarter_start and a.grade in (
                select accident_grade from deduction_rules where rule_type = 'veto'
            )
        ) as veto_accidents
    from accidents as a
    inner join eq as q
        on
            a.occurred_date between q.prev_year_start and q.period_end
            and (a.occurred_date >= q.year_start or a.occurred_date <= q.prev_year_period_end)
    group by all
),

insp as (
    select q.quarter, i.unit_code, count(*) as inspections
    from inspections as i
    inner join eq as q on i.inspection_date between q.quarter_start and q.quarter_end
    group by all
),

pen as (
    select q.quarter, p.unit_code, count(*) as penalty_cases
    from penalties as p
    inner join eq as q on p.decided_date between q.quarter_start and q.quarter_end
    group by all
),

ent_at_qe as (
    select q.quarter, q.period_end, v.credit_code, v.unit_code, v.operating_status,
        v.principal_id_number
    from ent_versions as v
    inner join eq as q on v.updated_at < q.period_end + interval 1 day
    qualify row_number() over (
        partition by q.quarter, v.credit_code order by v.updated_at desc, v.filename desc
    ) = 1
),

ent as (
    select
        s.quarter, s.unit_code,
        count(*) as active_enterprises,
        count(*) filter (
            where exists (
                select 1 from training_principal as t
                where
                    t.credit_code = s.credit_code
                    and t.training_date <= s.period_end
                    and (s.principal_id_number is null or s.principal_id_number = t.id_number)
            )
        ) as active_enterprises_principal_trained
    from ent_at_qe as s
    where s.operating_status = '在营'
    group by all
),

dr as (
    select
        q.quarter, d.unit_code,
        count(*) as enterprise_drills_ytd,
        count(*) filter (where d.is_four_no = '是') as four_no_drills_ytd
    from enterprise_drills as d
    inner join eq as q on d.drill_date between q.year_start and q.period_end
    where not (
        d.drill_type = '综合演练'
        and q.year >= (
            select cast(parameter_value as integer) from params
            where parameter_name = 'four_no_excludes_comprehensive_from_year'
        )
    )
    group by all
),

counts as (
    select
        q.quarter, u.unit_code, q.previous_quarter, q.four_no_target,
        coalesce(hz.major_hazards, 0) as major_hazards,
        coalesce(hz.major_hazards_rectified, 0) as major_hazards_rectified,
        coalesce(hz.hazards_due, 0) as hazards_due,
        coalesce(hz.hazards_due_rectified_on_time, 0) as hazards_due_rectified_on_time,
        coalesce(hz.hazards_found, 0) as hazards_found,
        coalesce(hz.listed_overdue_major_hazards, 0) as listed_overdue_major_hazards,
        coalesce(acc.accidents_ytd, 0) as accidents_ytd,
        coalesce(acc.deaths_ytd, 0) as deaths_ytd,
        coalesce(acc.accidents_prev_ytd, 0) as accidents_prev_ytd,
        coalesce(acc.deaths_prev_ytd, 0) as deaths_prev_ytd,
        coalesce(acc.larger_accidents, 0) as larger_accidents,
        coalesce(acc.concealed_accidents, 0) as concealed_accidents,
        coalesce(acc.veto_accidents, 0) as veto_accidents,
        coalesce(insp.inspections, 0) as inspections,
        coalesce(pen.penalty_cases, 0) as penalty_cases,
        coalesce(ent.active_enterprises, 0) as active_enterprises,
        coalesce(ent.active_enterprises_principal_trained, 0) as active_enterprises_principal_trained,
        coalesce(dr.enterprise_drills_ytd, 0) as enterprise_drills_ytd,
        coalesce(dr.four_no_drills_ytd, 0) as four_no_drills_ytd
    from eq as q
    cross join units as u
    left join hz using (quarter, unit_code)
    left join acc using (quarter, unit_code)
    left join insp using (quarter, unit_code)
    left join pen using (quarter, unit_code)
    left join ent using (quarter, unit_code)
    left join dr using (quarter, unit_code)
),

valued as (
    select
        *,
        cast(major_hazards_rectified as double) / nullif(major_hazards, 0) as i1_value,
        cast(hazards_due_rectified_on_time as double) / nullif(hazards_due, 0) as i2_value,
        cast(hazards_found as double) / nullif(active_enterprises, 0) as i3_value,
        cast(penalty_cases as double) / nullif(inspections, 0) as i4_value,
        (case when accidents_ytd < accidents_prev_ytd or (accidents_ytd = 0 and accidents_prev_ytd = 0) then 1 else 0 end)
        + (case when deaths_ytd < deaths_prev_ytd or (deaths_ytd = 0 and deaths_prev_ytd = 0) then 1 else 0 end)
            as i5_value,
        cast(active_enterprises_principal_trained as double) / nullif(active_enterprises, 0)
            as i6_value,
        cast(four_no_drills_ytd as double) / nullif(enterprise_drills_ytd, 0) as i7_value
    from counts
),

scored as (
    select
        *,
        coalesce(100.0 * i1_value, 100.0) as i1_score,
        coalesce(100.0 * i2_value, 100.0) as i2_score,
        case
            when i3_value is null then 0.0
            when coalesce(max(i3_value) over (partition by quarter), 0) = 0 then 100.0
            else 100.0 * (i3_value / max(i3_value) over (partition by quarter))
        end as i3_score,
        case
            when i4_value is null then 0.0
            when coalesce(max(i4_value) over (partition by quarter), 0) = 0 then 0.0
            else 100.0 * (i4_value / max(i4_value) over (partition by quarter))
        end as i4_score,
        50.0 * i5_value as i5_score,
        coalesce(100.0 * i6_value, 0.0) as i6_score,
        case
            when i7_value is null then 0.0
            when coalesce(four_no_target, 0) <= 0 then 100.0
            else least(100.0, 100.0 * i7_value / four_no_target)
        end as i7_score
    from valued
),

totalled as (
    select
        s.*,
        s.larger_accidents * (select points from deduction_rules where rule_id = 'deduction_major_accidents')
            as deduction_major_accidents,
        s.concealed_accidents * (select points from deduction_rules where rule_id = 'deduction_concealed')
            as deduction_concealed,
        case when s.listed_overdue_major_hazards = 0 then 0.0 else greatest(
            s.listed_overdue_major_hazards * (select points from deduction_rules where rule_id = 'deduction_listed_overdue'),
            coalesce((select cap from deduction_rules where rule_id = 'deduction_listed_overdue'), -1e300)
        ) end as deduction_listed_overdue,
        (
            (select weight from weights where indicator_id = 'I1') * s.i1_score
            + (select weight from weights where indicator_id = 'I2') * s.i2_score
            + (select weight from weights where indicator_id = 'I3') * s.i3_score
            + (select weight from weights where indicator_id = 'I4') * s.i4_score
            + (select weight from weights where indicator_id = 'I5') * s.i5_score
            + (select weight from weights where indicator_id = 'I6') * s.i6_score
            + (select weight from weights where indicator_id = 'I7') * s.i7_score
        ) / 100.0 as weighted_score,
        s.veto_accidents > 0 as veto
    from scored as s
),

final_scores as (
    select
        *,
        deduction_major_accidents + deduction_concealed + deduction_listed_overdue as deductions,
        greatest(
            weighted_score + deduction_major_accidents + deduction_concealed + deduction_listed_overdue,
            0.0
        ) as total_score
    from totalled
),

-- totals within 1e-9 tie: consecutive totals (descending) closer than that share a tie group
tie_groups as (
    select
        *,
        sum(case when prev_total is null or prev_total - total_score > 1e-9 then 1 else 0 end) over (
            partition by quarter, veto order by total_score desc, i1_score desc, unit_code
            rows between unbounded preceding and current row
        ) as tie_group
    from (
        select
            *,
            lag(total_score) over (
                partition by quarter, veto order by total_score desc, i1_score desc, unit_code
            ) as prev_total
        from final_scores
    )
),

ranked as (
    select
        *,
        row_number() over (
            partition by quarter order by veto, tie_group, i1_score desc, unit_code
        ) as rank
    from tie_groups
)

select
    r.quarter, r.unit_code,
    r.i1_value, r.i2_value, r.i3_value, r.i4_value, r.i5_value, r.i6_value, r.i7_value,
    r.i1_score, r.i2_score, r.i3_score, r.i4_score, r.i5_score, r.i6_score, r.i7_score,
    r.weighted_score, r.deduction_major_accidents, r.deduction_concealed,
    r.deduction_listed_overdue, r.deductions, r.total_score, r.rank,
    p.rank as prev_rank, p.rank - r.rank as rank_change, r.veto,
    r.major_hazards, r.major_hazards_rectified, r.hazards_due, r.hazards_due_rectified_on_time,
    r.hazards_found, r.active_enterprises, r.penalty_cases, r.inspections, r.accidents_ytd,
    r.accidents_prev_ytd, r.deaths_ytd, r.deaths_prev_ytd, r.active_enterprises_principal_trained,
    r.enterprise_drills_ytd, r.four_no_drills_ytd, r.four_no_target, r.larger_accidents,
    r.concealed_accidents, r.listed_overdue_major_hazards, r.veto_accidents
from ranked as r
left join ranked as p on r.previous_quarter = p.quarter and r.unit_code = p.unit_code
where r.quarter = (select max(quarter) from eq);
