/**
 * `twinflow/onnx`: the ONNX surrogate risk model for hybridRiskModel,
 * scored with onnxruntime-node. A subpath of its own because importing it
 * loads onnxruntime's native library; nothing else in twinflow does at
 * import.
 *
 * @example
 * import { hybridRiskModel, physicsRiskModel } from 'twinflow';
 * import { OnnxSurrogate } from 'twinflow/onnx';
 * const risk = hybridRiskModel({ surrogate: await OnnxSurrogate.load('model.onnx'), physics: physicsRiskModel() });
 */
export {
  OnnxFormatError,
  readOnnxMetadataProps,
  SURROGATE_INPUT,
  SURROGATE_OUTPUT,
} from './onnxModelFile.js';
export type { OnnxSurrogateOptions } from './onnxSurrogate.js';
export { OnnxSurrogate, SurrogateInferenceError } from './onnxSurrogate.js';
