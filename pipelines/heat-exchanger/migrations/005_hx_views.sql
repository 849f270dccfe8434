-- For analysts: each exchanger's day (heat delivered, fouling, capacity against its contract), and
-- each cleaning the twin commanded with whether it worked. FINAL: one row per fact before merges.
CREATE VIEW IF NOT EXISTS {database}.hx_daily_condition AS
SELECT
    exchanger_id,
    site,
    toDate(window_start) AS day,
    round(energy_kwh / 1000, 2) AS heat_mwh,
    mean_fouling_m2k_w,
    min_capacity_kw,
    out_of_service * 10 AS out_of_service_min
FROM {database}.hx_kpi_day FINAL;

CREATE VIEW IF NOT EXISTS {database}.hx_cleanings AS
SELECT
    c.exchanger_id,
    c.decided_at,
    c.reason,
    c.fouling_m2k_w AS fouling_before,
    o.effective,
    o.detail
FROM {database}.hx_commands AS c FINAL
LEFT JOIN {database}.hx_command_outcomes AS o FINAL ON o.command_id = c.command_id
WHERE c.action = 'CLEAN';
