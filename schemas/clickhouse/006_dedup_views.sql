-- Deduplicated reads: one row per fact even before background merges have run.
CREATE VIEW IF NOT EXISTS {database}.telemetry_enriched_dedup AS
SELECT * FROM {database}.telemetry_enriched FINAL;

CREATE VIEW IF NOT EXISTS {database}.twin_state_latest AS
SELECT * FROM {database}.twin_state FINAL;

CREATE VIEW IF NOT EXISTS {database}.kpi_minute_dedup AS
SELECT * FROM {database}.kpi_minute FINAL;

CREATE VIEW IF NOT EXISTS {database}.commands_dedup AS
SELECT * FROM {database}.commands FINAL;

CREATE VIEW IF NOT EXISTS {database}.alerts_dedup AS
SELECT * FROM {database}.alerts FINAL;
