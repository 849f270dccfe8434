-- Alarm quality against ground truth: only a run on a simulated plant knows what really happened,
-- so the embedded run writes these after it ends (operators/kpi/alarmQuality.ts has the definitions,
-- the README the matching windows). `run` names the run (e.g. "embedded, seed 42") so several runs
-- can sit side by side; a rerun with the same name replaces its rows.
CREATE TABLE IF NOT EXISTS {database}.fault_outcomes
(
    run              LowCardinality(String),
    asset_id         LowCardinality(String),
    line             LowCardinality(String),
    kind             LowCardinality(String) COMMENT 'bearing-defect or cooling-loss',
    injected_at      DateTime64(3, 'UTC'),
    ended_at         Nullable(DateTime64(3, 'UTC')),
    ended_by         LowCardinality(Nullable(String)),
    detected_at      Nullable(DateTime64(3, 'UTC')),
    ttd_s            Nullable(Float64),
    detected_by      LowCardinality(Nullable(String)) COMMENT 'e.g. alert:ANOMALY or command:REDUCE_LOAD',
    outcome          LowCardinality(String) COMMENT 'prevented, failed or ran-out (nothing to prevent yet)',
    failure_at       Nullable(DateTime64(3, 'UTC')),
    dispatched_at    Nullable(DateTime64(3, 'UTC')),
    inserted_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY (run, asset_id, injected_at, kind);

CREATE TABLE IF NOT EXISTS {database}.alarm_verdicts
(
    run              LowCardinality(String),
    item             LowCardinality(String) COMMENT 'alert or dispatch',
    item_index       UInt32 COMMENT 'position among the run''s alerts or commands',
    asset_id         LowCardinality(String),
    line             LowCardinality(String),
    ts               DateTime64(3, 'UTC'),
    kind             LowCardinality(String) COMMENT 'the alert kind or the command action',
    verdict          LowCardinality(String) COMMENT 'true-positive, false-positive, sensor-artefact or excluded',
    matched_source   LowCardinality(Nullable(String)) COMMENT 'fault or failure',
    matched_kind     LowCardinality(Nullable(String)),
    matched_at       Nullable(DateTime64(3, 'UTC')),
    inserted_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY (run, item, item_index);

-- Precision, recall and time to detect per run and line. Sensor artefacts count against alert
-- precision; command-channel alerts (verdict excluded) do not count at all.
CREATE VIEW IF NOT EXISTS {database}.alarm_quality_by_line AS
SELECT
    if(empty(f.run), v.run, f.run) AS run,
    if(empty(f.line), v.line, f.line) AS line,
    f.faults AS physical_faults,
    f.detected AS detected,
    if(f.faults > 0, f.detected / f.faults, NULL) AS recall,
    f.mttd_min AS mttd_min,
    f.prevented AS prevented,
    f.failed AS failed,
    if(f.prevented + f.failed > 0, f.prevented / (f.prevented + f.failed), NULL) AS failures_prevented,
    v.alerts_true AS alerts_true,
    v.alerts_false AS alerts_false,
    v.sensor_artefacts AS sensor_artefacts,
    if(v.alerts_true + v.alerts_false + v.sensor_artefacts > 0,
       v.alerts_true / (v.alerts_true + v.alerts_false + v.sensor_artefacts), NULL) AS alert_precision,
    v.dispatches_true AS dispatches_true,
    v.dispatches_false AS dispatches_false,
    if(v.dispatches_true + v.dispatches_false > 0,
       v.dispatches_true / (v.dispatches_true + v.dispatches_false), NULL) AS dispatch_precision
FROM
(
    SELECT run, line, count() AS faults, countIf(detected_at IS NOT NULL) AS detected,
           avgIf(ttd_s, ttd_s IS NOT NULL) / 60 AS mttd_min,
           countIf(outcome = 'prevented') AS prevented, countIf(outcome = 'failed') AS failed
    FROM {database}.fault_outcomes FINAL
    GROUP BY run, line
) AS f
FULL OUTER JOIN
(
    SELECT run, line,
           countIf(item = 'alert' AND verdict = 'true-positive') AS alerts_true,
           countIf(item = 'alert' AND verdict = 'false-positive') AS alerts_false,
           countIf(item = 'alert' AND verdict = 'sensor-artefact') AS sensor_artefacts,
           countIf(item = 'dispatch' AND verdict = 'true-positive') AS dispatches_true,
           countIf(item = 'dispatch' AND verdict = 'false-positive') AS dispatches_false
    FROM {database}.alarm_verdicts FINAL
    GROUP BY run, line
) AS v ON v.run = f.run AND v.line = f.line
ORDER BY run, line;
