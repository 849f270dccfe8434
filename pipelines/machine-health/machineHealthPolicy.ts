import { defaultPolicyConfig, type PolicyConfig } from '../../operators/control/policy.js';
import { BEARING_TREND_SIGNAL, COOLING_RESIDUAL_SIGNAL } from './assetMonitor.js';

/**
 * The machine-health twin's control policy: the defaults, except that a
 * technician is sent only on evidence of a physical fault, the asset
 * monitor's physics residuals (a cooling loss from the thermal model's
 * residual, a bearing defect from the wear-index trend). Those flags have
 * their own thresholds, so any flag dispatches. Spikes, stuck sensors and
 * raw signals following the load still raise ANOMALY alerts, but sent
 * three technicians in four for nothing (issue 14).
 *
 * @example
 * machineHealthStreamingJob({ catalogue, riskModel, policy: machineHealthPolicyConfig, outcomeTimeoutMs }, io);
 */
export const machineHealthPolicyConfig: PolicyConfig = {
  ...defaultPolicyConfig,
  anomaly: {
    ...defaultPolicyConfig.anomaly,
    dispatchAt: defaultPolicyConfig.anomaly.activeAt,
    dispatchOn: [COOLING_RESIDUAL_SIGNAL, BEARING_TREND_SIGNAL],
  },
};
