-- Control commands as sent on the commands topic (schemas/avro/command.avsc), one row per command_id.
CREATE TABLE IF NOT EXISTS {database}.commands
(
    command_id        String,
    asset_id          LowCardinality(String),
    action            LowCardinality(String),
    load_limit_pct    Nullable(Float64),
    risk              Float64,
    horizon_hours     Float64,
    reason            String,
    model             LowCardinality(String),
    decided_at        DateTime64(3, 'UTC'),
    source_topic      LowCardinality(Nullable(String)),
    source_partition  Nullable(Int32),
    source_offset     Nullable(String),
    inserted_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY command_id
SETTINGS non_replicated_deduplication_window = 1000;
