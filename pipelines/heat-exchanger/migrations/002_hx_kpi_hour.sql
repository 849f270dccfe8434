-- Per exchanger and hour: heat delivered, mean duty and fouling, lowest capacity. kpi_id is
-- exchanger_id '@' window start, so a late firing of the window replaces the earlier row.
CREATE TABLE IF NOT EXISTS {database}.hx_kpi_hour
(
    kpi_id              String,
    exchanger_id        LowCardinality(String),
    site                LowCardinality(String),
    window_start        DateTime64(3, 'UTC'),
    window_end          DateTime64(3, 'UTC'),
    readings            UInt32,
    energy_kwh          Float64,
    mean_duty_kw        Float64,
    mean_fouling_m2k_w  Float64,
    min_capacity_kw     Float64,
    out_of_service      UInt32,
    implausible         UInt32,
    late                Bool,
    inserted_at         DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(window_start)
ORDER BY (exchanger_id, window_start, kpi_id)
SETTINGS non_replicated_deduplication_window = 1000;
