-- Fouling estimates: one row per reading (estimate_id = exchanger_id '@' ts), so a replayed reading
-- lands on the same sorting key and ReplacingMergeTree keeps the row of the highest epoch.
CREATE TABLE IF NOT EXISTS {database}.hx_estimates
(
    estimate_id              String,
    exchanger_id             LowCardinality(String),
    site                     LowCardinality(String),
    ts                       DateTime64(3, 'UTC'),
    status                   LowCardinality(String),
    duty_kw                  Float64,
    heat_balance_mismatch    Float64,
    ua_w_k                   Nullable(Float64),
    fouling_m2k_w            Float64,
    fouling_slope_per_day    Nullable(Float64),
    capacity_kw              Float64,
    hours_to_contract_limit  Nullable(Float64),
    epoch                    UInt64 COMMENT 'runtime epoch (barrier) that wrote the row; the highest wins',
    inserted_at              DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(epoch)
PARTITION BY toYYYYMM(ts)
ORDER BY (exchanger_id, ts, estimate_id)
TTL toDateTime(inserted_at) + INTERVAL 180 DAY
SETTINGS non_replicated_deduplication_window = 1000;
