-- The return on the twin in money, for analysts (issue: prove the twin pays). Three parts:
-- cost_rates: the catalogue's cost table per line (connectors/catalogue/costTable.ts), written by
--   the job when it starts; the latest write per line wins. Assumptions of the plant, not facts.
-- cost_baseline_by_line: what the plant did without the twin over a baseline period, per line
--   (the embedded run writes its seeded baseline run's ground truth; a plant writes its records of
--   the period before the twin). Its totals over `days` give its average hour.
-- roi_by_line_day: the twin's own measured facts per line and UTC day, priced by cost_rates and set
--   against the baseline's average over the same hours:
--   unplanned downtime h  = kpi_minute downtime_s (planned time not running: time FAILED) / 3600
--   failures              = readings entering FAILED (telemetry_enriched, per asset in event time)
--   maintenances          = readings entering MAINTENANCE
--   dispatches            = DISPATCH_TECHNICIAN commands decided that day
--   energy kWh, good units= kpi_minute sums
--   hours                 = minutes with KPIs / 60 (a run's first and last day may be partial)
--   baseline_cost         = the baseline's cost per hour × hours (its average, pro rata)
--   saved                 = baseline_cost − cost_total (positive: the twin spent less)
--   production_value      = (good units − the baseline's good units per hour × hours) × margin per unit
--   net_saving            = saved + production_value
CREATE TABLE IF NOT EXISTS {database}.cost_rates
(
    line                         LowCardinality(String),
    currency                     LowCardinality(String),
    unplanned_downtime_per_hour  Float64 COMMENT 'per asset-hour FAILED, beyond the units not made',
    repair_per_failure           Float64,
    maintenance_per_event        Float64,
    dispatch_per_event           Float64,
    energy_per_kwh               Float64,
    margin_per_unit              Float64 COMMENT 'contribution margin of one good unit',
    source                       String COMMENT 'the catalogue the rates came from',
    inserted_at                  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY line;

CREATE TABLE IF NOT EXISTS {database}.cost_baseline_by_line
(
    line                 LowCardinality(String),
    days                 Float64 COMMENT 'length of the baseline period',
    unplanned_downtime_h Float64,
    failures             UInt64,
    maintenances         UInt64,
    dispatches           UInt64,
    energy_kwh           Float64,
    good_units           UInt64,
    source               String COMMENT 'where the baseline came from, e.g. "simulated baseline, seed 42"',
    inserted_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY line;

CREATE VIEW IF NOT EXISTS {database}.roi_by_line_day AS
WITH
    kpi AS
    (
        SELECT line, toDate(minute) AS day,
               uniqExact(minute) / 60 AS hours,
               sum(downtime_s) / 3600 AS unplanned_downtime_h,
               sum(energy_kwh) AS energy_kwh,
               sum(good_units) AS good_units
        FROM {database}.kpi_minute FINAL
        GROUP BY line, day
    ),
    entries AS
    (
        SELECT line, toDate(ts) AS day,
               countIf(run_state = 'FAILED' AND previous != 'FAILED') AS failures,
               countIf(run_state = 'MAINTENANCE' AND previous != 'MAINTENANCE') AS maintenances
        FROM
        (
            SELECT line, ts, run_state,
                   lagInFrame(run_state, 1, '') OVER (PARTITION BY asset_id ORDER BY ts, seq
                       ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS previous
            FROM {database}.telemetry_enriched FINAL
        )
        GROUP BY line, day
    ),
    dispatched AS
    (
        SELECT a.line AS line, toDate(c.decided_at) AS day, count() AS dispatches
        FROM (SELECT asset_id, decided_at, action FROM {database}.commands FINAL) AS c
        INNER JOIN (SELECT DISTINCT asset_id, line FROM {database}.kpi_minute) AS a ON a.asset_id = c.asset_id
        WHERE c.action = 'DISPATCH_TECHNICIAN'
        GROUP BY line, day
    )
SELECT
    k.line AS line,
    k.day AS day,
    k.hours AS hours,
    r.currency AS currency,
    k.unplanned_downtime_h AS unplanned_downtime_h,
    e.failures AS failures,
    e.maintenances AS maintenances,
    d.dispatches AS dispatches,
    k.energy_kwh AS energy_kwh,
    k.good_units AS good_units,
    unplanned_downtime_h * r.unplanned_downtime_per_hour AS cost_unplanned_downtime,
    failures * r.repair_per_failure AS cost_repairs,
    maintenances * r.maintenance_per_event AS cost_maintenance,
    dispatches * r.dispatch_per_event AS cost_dispatches,
    energy_kwh * r.energy_per_kwh AS cost_energy,
    cost_unplanned_downtime + cost_repairs + cost_maintenance + cost_dispatches + cost_energy AS cost_total,
    if(b.days > 0,
       (b.unplanned_downtime_h * r.unplanned_downtime_per_hour + b.failures * r.repair_per_failure
        + b.maintenances * r.maintenance_per_event + b.dispatches * r.dispatch_per_event
        + b.energy_kwh * r.energy_per_kwh) / (b.days * 24) * hours,
       NULL) AS baseline_cost,
    baseline_cost - cost_total AS saved,
    if(b.days > 0, (good_units - b.good_units / (b.days * 24) * hours) * r.margin_per_unit, NULL) AS production_value,
    saved + production_value AS net_saving
FROM kpi AS k
LEFT JOIN entries AS e ON e.line = k.line AND e.day = k.day
LEFT JOIN dispatched AS d ON d.line = k.line AND d.day = k.day
LEFT JOIN (SELECT * FROM {database}.cost_rates FINAL) AS r ON r.line = k.line
LEFT JOIN (SELECT * FROM {database}.cost_baseline_by_line FINAL) AS b ON b.line = k.line
ORDER BY line, day;
