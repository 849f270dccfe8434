import { z } from 'zod';

/**
 * The shape of the catalogue file (before kinds are resolved into assets).
 * Objects are strict: a misspelt field is an error, not a silent default.
 * Cross-field rules (alarm below limit, kind exists, ids unique) need the
 * resolved assets and live in parseCatalogue.
 */

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"');
const positive = z.number().positive();
const nonNegative = z.number().nonnegative();

const boundsFields = {
  minLoadLimitPct: z.number().min(0).max(150),
  maxLoadLimitPct: z.number().positive().max(150),
  reduceStepPct: z.number().positive().max(100),
};

/** Rated parameters a kind defines and an asset may override. */
const ratedFields = {
  ratedPowerKw: positive,
  ratedRpm: positive,
  ratedPressureBar: nonNegative,
  ambientC: z.number().min(-50).max(80),
  heatRiseAtRatedC: positive,
  thermalTimeConstantS: positive,
  temperatureAlarmC: z.number(),
  temperatureLimitC: z.number(),
  baseVibrationMmS: positive,
  vibrationAlarmMmS: positive,
  wearPerHourAtRated: positive.max(1),
  idealCycleTimeS: positive,
  repairTimeS: positive,
  maintenanceTimeS: positive,
};

/**
 * An asset kind: rated defaults and load bounds.
 *
 * @example
 * kindSchema.safeParse(raw.kinds.pump).success;
 */
export const kindSchema = z.strictObject({
  ...ratedFields,
  // A kind normally takes its ambient from the site.
  ambientC: ratedFields.ambientC.optional(),
  bounds: z.strictObject(boundsFields),
});

/**
 * An asset in a line: id, kind, and any rated field or bound it overrides.
 *
 * @example
 * assetEntrySchema.parse({ id: 'pump-002', kind: 'pump', ratedPowerKw: 75 });
 */
export const assetEntrySchema = z
  .strictObject(ratedFields)
  .partial()
  .extend({ id, kind: z.string().min(1), bounds: z.strictObject(boundsFields).partial().optional() });

/** Prices of the plant's events (connectors/catalogue/costTable.ts); every field optional where it overrides. */
const costFields = {
  unplannedDowntimePerHour: nonNegative,
  repairPerFailure: nonNegative,
  maintenancePerEvent: nonNegative,
  dispatchPerEvent: nonNegative,
  energyPerKwh: nonNegative,
  marginPerUnit: nonNegative,
};

/**
 * The catalogue's `costs` section: a currency and plant-wide rates; a line's
 * own `costs` overrides any of them.
 *
 * @example
 * costsSchema.parse({ currency: 'EUR', repairPerFailure: 4000 });
 */
export const costsSchema = z
  .strictObject(costFields)
  .partial()
  .extend({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "EUR"')
      .optional(),
  });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day "HH:MM"');

/**
 * The whole catalogue file.
 *
 * @example
 * const result = catalogueSchema.safeParse(parse(text)); // then resolve kinds (parseCatalogue does both)
 */
export const catalogueSchema = z.strictObject({
  version: z.literal(1),
  costs: costsSchema.optional(),
  kinds: z.record(id, kindSchema),
  sites: z
    .array(
      z.strictObject({
        id,
        name: z.string().optional(),
        ambientC: ratedFields.ambientC,
        demand: z.strictObject({
          minLoad: z.number().positive().max(1.2),
          maxLoad: z.number().positive().max(1.2),
          peakHourUtc: z.number().min(0).max(24),
        }),
        shifts: z.array(z.strictObject({ name: z.string().min(1), start: hhmm, end: hhmm })).optional(),
        lines: z
          .array(
            z.strictObject({
              id,
              name: z.string().optional(),
              assets: z.array(assetEntrySchema).min(1),
              costs: z.strictObject(costFields).partial().optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

/**
 * The catalogue file as written, after schema validation.
 *
 * @example
 * const file: CatalogueFile = catalogueSchema.parse(raw);
 */
export type CatalogueFile = z.infer<typeof catalogueSchema>;
export type AssetEntry = z.infer<typeof assetEntrySchema>;
export type KindEntry = z.infer<typeof kindSchema>;
