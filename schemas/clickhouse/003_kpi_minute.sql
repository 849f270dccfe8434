-- Windowed KPIs per asset and minute. A late firing of a window re-emits the minute with
-- late = true and a higher late_firings, which is the ReplacingMergeTree version: the latest
-- firing wins, and a replayed firing replaces itself.
CREATE TABLE IF NOT EXISTS {database}.kpi_minute
(
    asset_id             LowCardinality(String),
    site                 LowCardinality(String),
    line                 LowCardinality(String),
    minute               DateTime64(3, 'UTC'),
    availability         Float64 COMMENT 'share of the minute the asset was running (0..1)',
    performance          Float64 COMMENT 'actual over ideal rate while running (0..1)',
    quality              Float64 COMMENT 'good over all units (0..1)',
    oee                  Float64,
    downtime_s           Float64 COMMENT 'planned time not running, seconds',
    planned_s            Float64 COMMENT 'planned production time (running or failed), seconds',
    running_s            Float64,
    ideal_s              Float64 COMMENT 'ideal time of the units made (units x ideal cycle time), seconds',
    good_units           UInt64,
    rejected_units       UInt64,
    energy_kwh           Float64,
    energy_per_unit_kwh  Nullable(Float64),
    readings             UInt32,
    late                 Bool,
    late_firings         UInt32,
    inserted_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(late_firings)
PARTITION BY toYYYYMM(minute)
ORDER BY (asset_id, minute)
TTL toDateTime(inserted_at) + INTERVAL 2 YEAR
SETTINGS non_replicated_deduplication_window = 1000;
