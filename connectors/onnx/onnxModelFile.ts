import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS: its namespace is reached through the default export under ESM.
const { onnx } = onnxProto;

/** Names of the graph's input and output tensors: the tensor half of the surrogate's feature contract. */
export const SURROGATE_INPUT = 'features';
export const SURROGATE_OUTPUT = 'risk';

/** Bytes that are not an ONNX ModelProto. */
export class OnnxFormatError extends Error {
  override readonly name = 'OnnxFormatError';
  readonly retriable = false;
  constructor(
    message: string,
    readonly source: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Reads the metadata_props of an ONNX model (onnxruntime-node does not
 * expose them); `source` names the file in errors.
 *
 * @example
 * const props = readOnnxMetadataProps(await readFile(path), path);
 * props.get('twinflow.model_version');
 */
export function readOnnxMetadataProps(bytes: Uint8Array, source: string): Map<string, string> {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new OnnxFormatError(`${source}: not an ONNX model (${(cause as Error).message})`, source, {
      cause,
    });
  }
  const props = new Map<string, string>();
  for (const p of model.metadataProps) if (p.key) props.set(p.key, p.value ?? '');
  return props;
}
