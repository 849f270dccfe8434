import onnxProto from 'onnx-proto';
import { SURROGATE_INPUT, SURROGATE_OUTPUT } from '../../connectors/onnx/onnxModelFile.js';
import { metadataToProps, type SurrogateMetadata } from '../../operators/scoring/surrogateMetadata.js';
import type { Mlp } from './mlp.js';

// onnx-proto is CommonJS: its namespace is reached through the default export under ESM.
const { onnx } = onnxProto;

/**
 * Serialises a trained MLP as an ONNX model (opset 13): Gemm (transB = 1)
 * and Tanh per hidden layer, a final Gemm and Sigmoid; input "features"
 * [N, F] float, output "risk" [N, 1] float; the metadata in metadata_props.
 * Weights are stored as float32, as onnxruntime will compute in float32.
 *
 * @example
 * await writeFile('models/machine-health-surrogate.onnx', mlpToOnnx(net, metadata));
 */
export function mlpToOnnx(net: Mlp, metadata: SurrogateMetadata): Uint8Array {
  const initializer: InstanceType<typeof onnx.TensorProto>[] = [];
  const node: InstanceType<typeof onnx.NodeProto>[] = [];
  const layers = net.weights.length;
  let current = SURROGATE_INPUT;
  for (let l = 0; l < layers; l++) {
    const nIn = net.sizes[l];
    const nOut = net.sizes[l + 1];
    initializer.push(floatTensor(`W${l}`, [nOut, nIn], net.weights[l]));
    initializer.push(floatTensor(`b${l}`, [nOut], net.biases[l]));
    const gemmOut = `gemm${l}`;
    node.push(
      onnx.NodeProto.create({
        name: `Gemm${l}`,
        opType: 'Gemm',
        input: [current, `W${l}`, `b${l}`],
        output: [gemmOut],
        attribute: [
          onnx.AttributeProto.create({ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }),
        ],
      }),
    );
    const last = l === layers - 1;
    const actOut = last ? SURROGATE_OUTPUT : `h${l}`;
    node.push(
      onnx.NodeProto.create({
        name: `${last ? 'Sigmoid' : 'Tanh'}${l}`,
        opType: last ? 'Sigmoid' : 'Tanh',
        input: [gemmOut],
        output: [actOut],
      }),
    );
    current = actOut;
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'twinflow',
    producerVersion: metadata.version,
    docString: "Failure risk over the horizon, a surrogate of twinflow's Monte Carlo physics model.",
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
    graph: onnx.GraphProto.create({
      name: 'machine_health_surrogate',
      node,
      initializer,
      input: [valueInfo(SURROGATE_INPUT, net.sizes[0])],
      output: [valueInfo(SURROGATE_OUTPUT, 1)],
    }),
    metadataProps: metadataToProps(metadata).map((p) => onnx.StringStringEntryProto.create(p)),
  });
  return onnx.ModelProto.encode(model).finish();
}

function floatTensor(
  name: string,
  dims: number[],
  values: Float64Array,
): InstanceType<typeof onnx.TensorProto> {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    floatData: Array.from(values),
  });
}

function valueInfo(name: string, width: number): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: [
            onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' }),
            onnx.TensorShapeProto.Dimension.create({ dimValue: width }),
          ],
        }),
      }),
    }),
  });
}
