-- 监管执法 by unit (plan §二.14 “零处罚”“只检查不处罚”): one row per quarter × unit from 2023Q1 to
-- the as-of quarter, zero rows included. The unit grain counts what happened in the unit, whoever
-- enforced; a penalty counts in the quarter of its 决定日期, with or without an inspection. The
-- own_… columns and is_zero_penalty count the unit's OWN enforcement (执法部门 = the unit or one of
-- its aliases: its 综合执法 team), SPEC §5 / §9 "Enforcement".
{{ enforcement_by_quarter(ref('dim_unit'), 'unit_code', own_key='enforcing_unit_code') }}
