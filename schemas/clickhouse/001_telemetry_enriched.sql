-- Enriched telemetry: every Telemetry field (schemas/avro/telemetry.avsc) plus the twin's scoring.
-- event_id is deterministic (asset_id ':' seq), so a replayed reading lands on the same sorting key
-- and ReplacingMergeTree keeps one row; inserts also carry deduplication tokens
-- (non_replicated_deduplication_window), so a retried batch is dropped at insert time.
-- Retention counts from when a row was stored, not from event time: a replay of old data is kept.
CREATE TABLE IF NOT EXISTS {database}.telemetry_enriched
(
    event_id        String,
    asset_id        LowCardinality(String),
    site            LowCardinality(String),
    line            LowCardinality(String),
    ts              DateTime64(3, 'UTC'),
    seq             UInt64,
    temperature_c   Nullable(Float64),
    vibration_mm_s  Nullable(Float64),
    load_pct        Float64,
    pressure_bar    Nullable(Float64),
    power_kw        Float64,
    rpm             Float64,
    run_state       LowCardinality(String),
    good_units      UInt64,
    rejected_units  UInt64,
    load_limit_pct  Nullable(Float64),
    risk            Float64,
    rul_hours       Nullable(Float64),
    anomaly_score   Float64,
    wear_estimate   Float64,
    model           LowCardinality(String),
    epoch           UInt64 COMMENT 'runtime epoch (barrier) that wrote the row; the highest wins',
    inserted_at     DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(epoch)
PARTITION BY toYYYYMM(ts)
ORDER BY (asset_id, ts, seq)
TTL toDateTime(inserted_at) + INTERVAL 180 DAY
SETTINGS non_replicated_deduplication_window = 1000;
