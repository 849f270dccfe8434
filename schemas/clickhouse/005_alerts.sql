-- Alerts raised by the twin (deviation, silence, predicted failure), one row per alert_id.
CREATE TABLE IF NOT EXISTS {database}.alerts
(
    alert_id     String,
    asset_id     LowCardinality(String),
    ts           DateTime64(3, 'UTC'),
    severity     LowCardinality(String),
    kind         LowCardinality(String),
    reason       String,
    value        Nullable(Float64),
    inserted_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY alert_id
SETTINGS non_replicated_deduplication_window = 1000;
