-- The twin's commands (command_id deterministic: exchanger, decision time, action), their judged
-- outcomes (keyed by the command they judge) and its alerts (exchanger, time, kind).
CREATE TABLE IF NOT EXISTS {database}.hx_commands
(
    command_id               String,
    exchanger_id             LowCardinality(String),
    action                   LowCardinality(String),
    valve_pct                Nullable(Float64),
    reason                   String,
    decided_at               DateTime64(3, 'UTC'),
    fouling_m2k_w            Float64,
    hours_to_contract_limit  Nullable(Float64),
    inserted_at              DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY (exchanger_id, command_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {database}.hx_command_outcomes
(
    command_id    String,
    exchanger_id  LowCardinality(String),
    action        LowCardinality(String),
    decided_at    DateTime64(3, 'UTC'),
    judged_at     DateTime64(3, 'UTC'),
    effective     Bool,
    detail        String,
    inserted_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY (exchanger_id, command_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {database}.hx_alerts
(
    alert_id      String,
    exchanger_id  LowCardinality(String),
    ts            DateTime64(3, 'UTC'),
    kind          LowCardinality(String),
    severity      LowCardinality(String),
    message       String,
    value         Float64,
    inserted_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY (exchanger_id, ts, alert_id)
SETTINGS non_replicated_deduplication_window = 1000;
