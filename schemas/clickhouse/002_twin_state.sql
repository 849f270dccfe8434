-- Twin state per asset (schemas/avro/twinState.avsc, flattened), latest wins: version = ts in epoch ms.
CREATE TABLE IF NOT EXISTS {database}.twin_state
(
    asset_id                 LowCardinality(String),
    ts                       DateTime64(3, 'UTC'),
    last_seen                DateTime64(3, 'UTC'),
    mode                     LowCardinality(String),
    reported_temperature_c   Nullable(Float64),
    reported_vibration_mm_s  Nullable(Float64),
    reported_load_pct        Nullable(Float64),
    reported_load_limit_pct  Nullable(Float64),
    reported_run_state       LowCardinality(Nullable(String)),
    desired_load_limit_pct   Nullable(Float64),
    desired_run_state        LowCardinality(Nullable(String)),
    health_risk              Float64,
    health_rul_hours         Nullable(Float64),
    health_anomaly_score     Float64,
    health_wear_estimate     Float64,
    health_model             LowCardinality(String),
    last_command_id          Nullable(String),
    last_command_at          Nullable(DateTime64(3, 'UTC')),
    commands_obeyed          UInt32,
    commands_ignored         UInt32,
    commands_timed_out       UInt32,
    readings                 UInt64,
    version                  UInt64 COMMENT 'ts in epoch ms: the latest state replaces older ones'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY asset_id
SETTINGS non_replicated_deduplication_window = 1000;
