-- OEE by site, line and shift (UTC): A 06-14, B 14-22, C 22-06 (a C shift belongs to the day it
-- starts). Availability is uptime over planned time (asset-minutes present), performance is
-- weighted by running time, quality is good over all units; OEE is their product.
CREATE VIEW IF NOT EXISTS {database}.oee_by_line_shift AS
SELECT
    site,
    line,
    shift_start,
    multiIf(toHour(shift_start) = 6, 'A', toHour(shift_start) = 14, 'B', 'C') AS shift,
    count() AS asset_minutes,
    uniqExact(asset_id) AS assets,
    greatest(0, 1 - sum(m_downtime_s) / (count() * 60)) AS availability,
    if(sum(m_availability) > 0, sum(m_performance * m_availability) / sum(m_availability), 0) AS performance,
    if(sum(m_good + m_rejected) > 0, sum(m_good) / sum(m_good + m_rejected), 1) AS quality,
    availability * performance * quality AS oee,
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
        availability AS m_availability,
        performance AS m_performance,
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
