// A Node module-resolution hook (module.register) for tfjs-gradients.ts: tfjs-core ships its gradient
// configurations only as ES modules with extensionless relative imports ('./gradients/Abs_grad',
// '../ops/mul'), which Node's ES-module resolver refuses. This resolves those by adding '.js', for
// imports from inside @tensorflow/tfjs-core/dist only.
import { existsSync } from 'node:fs';

const inTfjsCore = (url) => typeof url === 'string' && url.includes('/@tensorflow/tfjs-core/dist/');

export async function resolve(specifier, context, next) {
  if (inTfjsCore(context.parentURL) && /^\.\.?\//.test(specifier) && !specifier.endsWith('.js')) {
    const url = new URL(`${specifier}.js`, context.parentURL);
    if (existsSync(url)) return { url: url.href, shortCircuit: true, format: 'module' };
  }
  return next(specifier, context);
}
