import { cpu } from '@nablajs/backend-cpu';
import { type Variable, grad, noGrad, variable } from '@nablajs/autograd';
import { manualSeed, rand, tensor, useBackend, zeros } from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0);

// #region define
// Define the input
const x = variable(tensor([0.2, -1.0, 0.5, 0.9]), { name: 'x' });
// The parameters of the hidden layer
const H = 16; // hidden layer size
const NLABELS = 3;
const uniform = (shape: number[], name: string) =>
  variable(rand(shape).sub(0.5), { requiresGrad: true, name });
const shared0s = (shape: number[], name: string) =>
  variable(zeros(shape), { requiresGrad: true, name });
const Wi = uniform([H, x.size], 'Wi');
const bi = shared0s([H], 'bi');
// parameters for the output layer
const Wo = uniform([NLABELS, H], 'Wo');
const bo = shared0s([NLABELS], 'bo');
// #endregion define

// #region cost
// define the hidden layer, the output layer and related variables
const model = (x: Variable) => {
  const h = Wi.matmul(x).add(bi).relu();
  return Wo.matmul(h).add(bo).softmax(); // p_y_given_x
};
const pYGivenX = model(x);
const yPred = pYGivenX.argmax();
// Compute the cost function
const ygold = 2; // gold_target
const cost = pYGivenX.slice([ygold]).log().neg();
// #endregion cost

// #region update
// 1/ Store all the learnt parameters
const params = [Wi, bi, Wo, bo];
// 2/ Get the gradients of everyone
const gradients = grad(cost, params);
// 3/ Collect the updates, and apply them at once
const learningRate = 0.1;
noGrad(() => {
  params.forEach((p, i) =>
    p.data.assign(p.sub(gradients[i]!.mul(learningRate)).data),
  );
});

console.log(
  await cost.item(),
  await model(x).slice([ygold]).log().neg().item(),
); // the cost falls
// #endregion update

export const costBefore = await cost.item();
export const costAfter = await model(x).slice([ygold]).log().neg().item();
export const prediction = await yPred.item();
export const gradientShapes = gradients.map((g) => g!.shape);
