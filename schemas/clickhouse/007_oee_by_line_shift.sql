-- OEE by site, line and shift (UTC): A 06-14, B 14-22, C 22-06 (a C shift belongs to the day it
-- starts). Ratios of sums, never averages of ratios: availability is running over planned time,
-- performance is ideal time of the units made over running time, quality is good over all units;
-- OEE is their product. Minutes outside planned time (idle, planned maintenance) weigh nothing.
CREATE VIEW IF NOT EXISTS {database}.oee_by_line_shift AS
SELECT
    site,
    line,
    shift_start,
    multiIf(toHour(shift_start) = 6, 'A', toHour(shift_start) = 14, 'B', 'C') AS shift,
    count() AS asset_minutes,
    uniqExact(asset_id) AS assets,
    if(sum(m_planned_s) > 0, sum(m_running_s) / sum(m_planned_s), NULL) AS availability,
    if(sum(m_running_s) > 0, least(1, sum(m_ideal_s) / sum(m_running_s)), NULL) AS performance,
    if(sum(m_good + m_rejected) > 0, sum(m_good) / sum(m_good + m_rejected), NULL) AS quality,
    if(sum(m_planned_s) > 0, coalesce(availability * performance * quality, 0), NULL) AS oee,
    sum(m_downtime_s) AS downtime_s,
    sum(m_good) AS good_units,
    sum(m_rejected) AS rejected_units,
    sum(m_energy_kwh) AS energy_kwh,
    if(sum(m_good) > 0, sum(m_energy_kwh) / sum(m_good), NULL) AS energy_per_unit_kwh
FROM
(
    SELECT
        site,
        line,
        asset_id,
        planned_s AS m_planned_s,
        running_s AS m_running_s,
        ideal_s AS m_ideal_s,
        downtime_s AS m_downtime_s,
        good_units AS m_good,
        rejected_units AS m_rejected,
        energy_kwh AS m_energy_kwh,
        multiIf(
            toHour(minute) >= 22, toStartOfDay(minute) + toIntervalHour(22),
            toHour(minute) < 6, toStartOfDay(minute) - toIntervalHour(2),
            toHour(minute) < 14, toStartOfDay(minute) + toIntervalHour(6),
            toStartOfDay(minute) + toIntervalHour(14)
        ) AS shift_start
    FROM {database}.kpi_minute FINAL
)
GROUP BY site, line, shift_start
ORDER BY site, line, shift_start;
