// PyTorch's "Learn the Basics" tutorial (pytorch.org/tutorials/beginner/basics), chapters Tensors,
// Autograd, Datasets & DataLoaders and Optimization, ported op for op. The data is small and made
// here (FashionMNIST-sized images of ten classes) so that the docs tests run it in seconds.
// #region tensors
import {
  type Tensor,
  concat,
  manualSeed,
  nn,
  noGrad,
  ones,
  onesLike,
  optim,
  rand,
  randLike,
  randn,
  tensor,
  variable,
  zeros,
  data,
  eye,
} from 'nablajs';

manualSeed(0);
const fromData = [
  [1, 2],
  [3, 4],
];
const xData = tensor(fromData, { dtype: 'int32' }); // torch.tensor(data): integers (int32 for int64)
const xOnes = onesLike(xData); // retains the properties of x_data
const xRand = randLike(xData); // a float dtype, as rand_like(x_data, dtype=torch.float)

const shape = [2, 3];
const randTensor = rand(shape);
const onesTensor = ones(shape);
const zerosTensor = zeros(shape);

const attributes = rand([3, 4]);
console.log(`Shape of tensor: ${attributes.shape}`); // 3,4
console.log(`Datatype of tensor: ${attributes.dtype}`); // float32
console.log(`Device tensor is stored on: ${attributes.backend.name}`); // cpu
// on a GPU: useBackend(await webgpu()), or `await attributes.to(gpuBackend)`

const t = ones([4, 4]);
console.log(`First row: ${t.at(0)}`); // tensor[0]
console.log(`First column: ${t.at(':', 0)}`); // tensor[:, 0]
console.log(`Last column: ${t.at('...', -1)}`); // tensor[..., -1]
t.at(':', 1).assign(0); // tensor[:,1] = 0 (a view written in place)
console.log(t.toString());

const t1 = concat([t, t, t], 1); // torch.cat([tensor, tensor, tensor], dim=1)

// matrix multiplication: tensor @ tensor.T
const y1 = t.matmul(t.transpose());
// element-wise product: tensor * tensor
const z1 = t.mul(t);

const agg = t.sum();
const aggItem = await agg.item(); // a number: 12

t.assign(t.add(5)); // tensor.add_(5): in-place operations are assign() in Nabla
const asArray = await t.data(); // tensor.numpy(), but a copy: no memory is shared
// #endregion tensors

// #region autograd
const x = ones([5]); // input tensor
const y = zeros([3]); // expected output
const w = variable(randn([5, 3]), { requiresGrad: true });
const b = variable(randn([3]), { requiresGrad: true });
const z = x.matmul(w).add(b); // a Tensor times a Variable records the graph
const loss = nn.binaryCrossEntropyWithLogits(z, y);
console.log(`Gradient function for z = ${z.gradFn?.name}`); // add
console.log(`Gradient function for loss = ${loss.gradFn?.name}`); // mean

loss.backward();
console.log(w.grad?.toString());
console.log(b.grad?.toString());

const zTracked = x.matmul(w).add(b);
const zUntracked = noGrad(() => x.matmul(w).add(b)); // with torch.no_grad():
const zDet = zTracked.detach();
console.log(zTracked.requiresGrad, zUntracked.requiresGrad, zDet.requiresGrad); // true false false

const inp = variable(eye(4, 5), { requiresGrad: true });
const out = inp.add(1).pow(2).transpose(); // .t()
out.backward(onesLike(out.data), { retainGraph: true });
const firstCall = inp.grad!.toString();
out.backward(onesLike(out.data), { retainGraph: true });
const secondCall = inp.grad!.toString(); // accumulated: twice the first
inp.zeroGrad(); // inp.grad.zero_()
out.backward(onesLike(out.data), { retainGraph: true });
const afterZeroing = inp.grad!.toString();
// #endregion autograd

// #region datasets
const labelsMap = ['T-Shirt', 'Trouser', 'Pullover', 'Dress', 'Coat'].concat([
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle Boot',
]);

/** Ten classes of 28×28 images: a fixed pattern per class plus noise (FashionMNIST's shapes). */
function makeImages(count: number, seed: number) {
  const patterns = rand([10, 28 * 28], { seed: 7 }).dataSync();
  const noise = randn([count, 28 * 28], { seed }).dataSync();
  const images = new Float32Array(count * 28 * 28);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 28 * 28; p++)
      images[i * 784 + p] =
        patterns[labels[i]! * 784 + p]! + 0.5 * noise[i * 784 + p]!;
  }
  return { images, labels };
}

/** A custom Dataset: `length` and `get(idx)` are PyTorch's `__len__` and `__getitem__`. */
class CustomImageDataset implements data.Dataset<[Tensor, number | Tensor]> {
  constructor(
    private readonly images: Float32Array,
    private readonly labels: Int32Array,
    private readonly transform?: (image: Tensor) => Tensor,
    private readonly targetTransform?: (label: number) => Tensor,
  ) {}

  get length(): number {
    return this.labels.length;
  }

  get(idx: number): [Tensor, number | Tensor] {
    const pixels = this.images.subarray(idx * 784, (idx + 1) * 784);
    let image = tensor(pixels, { shape: [1, 28, 28] }); // read_image(img_path)
    const label = this.labels[idx]!;
    if (this.transform) image = this.transform(image);
    return [image, this.targetTransform ? this.targetTransform(label) : label];
  }
}

const train = makeImages(256, 1);
const test = makeImages(64, 2);
const trainingData = new CustomImageDataset(train.images, train.labels);
const testData = new CustomImageDataset(test.images, test.labels);
const [sampleImage, sampleLabel] = trainingData.get(3);
console.log(labelsMap[sampleLabel as number], sampleImage.shape); // Dress [1, 28, 28]

// target_transform=Lambda(lambda y: torch.zeros(10).scatter_(0, torch.tensor(y), value=1))
const oneHotData = new CustomImageDataset(
  train.images,
  train.labels,
  undefined,
  (label) => zeros([10]).scatter(0, tensor([label], { dtype: 'int32' }), 1),
);
const [, oneHotLabel] = oneHotData.get(3);

const trainDataloader = new data.DataLoader(trainingData, {
  batchSize: 64,
  shuffle: true,
  seed: 0,
});
const testDataloader = new data.DataLoader(testData, {
  batchSize: 64,
  shuffle: true,
  seed: 0,
});
const [trainFeatures, trainLabels] = [...trainDataloader][0]!; // next(iter(train_dataloader))
console.log(`Feature batch shape: ${trainFeatures.shape}`); // 64,1,28,28
console.log(`Labels batch shape: ${trainLabels.shape}`); // 64
// #endregion datasets

// #region optimization
class NeuralNetwork extends nn.Module {
  linearReluStack = new nn.Sequential(
    new nn.Linear(28 * 28, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );

  forward(input: nn.Input) {
    return this.linearReluStack.forward(nn.asVariable(input).flatten(1)); // nn.Flatten()
  }
}
const model = new NeuralNetwork();

const learningRate = 1e-1; // the tutorial's 1e-3 is for 60,000 images and 10 epochs
const epochs = 3;
const lossFn = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: learningRate });

async function trainLoop(
  dataloader: typeof trainDataloader,
  model: NeuralNetwork,
  lossFn: nn.CrossEntropyLoss,
  optimizer: optim.SGD,
) {
  const size = dataloader.count; // len(dataloader.dataset)
  model.train();
  let batch = 0;
  for (const [X, y] of dataloader) {
    // compute prediction and loss
    const pred = model.forward(X);
    const loss = lossFn.forward(pred, y);
    // backpropagation
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();
    if (batch % 2 === 0) {
      const current = batch * 64 + X.shape[0]!;
      console.log(
        `loss: ${(await loss.item()).toFixed(6)}  [${current}/${size}]`,
      );
    }
    batch++;
  }
}

async function testLoop(
  dataloader: typeof testDataloader,
  model: NeuralNetwork,
  lossFn: nn.CrossEntropyLoss,
) {
  model.eval();
  const size = dataloader.count;
  const numBatches = dataloader.length;
  let testLoss = 0;
  let correct = 0;
  for (const [X, y] of dataloader) {
    // with torch.no_grad(): noGrad is synchronous, so the values are read after it
    const [loss, hits] = noGrad(() => {
      const pred = model.forward(X);
      return [
        lossFn.forward(pred, y),
        pred.argmax(1).eq(y).cast('float32').sum(),
      ];
    });
    testLoss += await loss.item();
    correct += await hits.item();
  }
  testLoss /= numBatches;
  correct /= size;
  console.log(
    `Accuracy: ${(100 * correct).toFixed(1)}%, Avg loss: ${testLoss.toFixed(6)}`,
  );
  return { accuracy: correct, loss: testLoss };
}

const history: { accuracy: number; loss: number }[] = [];
history.push(await testLoop(testDataloader, model, lossFn)); // before training
for (let epoch = 0; epoch < epochs; epoch++) {
  console.log(`Epoch ${epoch + 1}\n-------------------------------`);
  await trainLoop(trainDataloader, model, lossFn, optimizer);
  history.push(await testLoop(testDataloader, model, lossFn));
}
console.log('Done!');
// #endregion optimization

export const results = {
  xData: { dtype: xData.dtype, values: Array.from(xData.dataSync()) },
  xOnes: { dtype: xOnes.dtype, values: Array.from(xOnes.dataSync()) },
  xRand: { dtype: xRand.dtype, shape: xRand.shape },
  shapes: [randTensor.shape, onesTensor.shape, zerosTensor.shape],
  attributes: [attributes.shape, attributes.dtype, attributes.backend.name],
  t1Shape: t1.shape,
  y1: Array.from(y1.dataSync()),
  z1: Array.from(z1.dataSync()),
  aggItem,
  afterAdd: Array.from(asArray),
  gradFns: [z.gradFn?.name, loss.gradFn?.name],
  wGrad: Array.from(w.grad!.dataSync()),
  bGrad: Array.from(b.grad!.dataSync()),
  zValues: Array.from(z.data.dataSync()),
  requiresGrad: [
    zTracked.requiresGrad,
    zUntracked.requiresGrad,
    zDet.requiresGrad,
  ],
  firstCall,
  secondCall,
  afterZeroing,
  sample: [labelsMap[sampleLabel as number], sampleImage.shape],
  oneHotLabel: Array.from((oneHotLabel as Tensor).dataSync()),
  batchShapes: [trainFeatures.shape, trainLabels.shape, trainLabels.dtype],
  history,
};
