// Registers TF.js's gradients. `@tensorflow/tfjs-core` alone has none (the `@tensorflow/tfjs` bundle
// registers them), and its `register_all_gradients` exists only as ES modules with extensionless
// imports that Node refuses; tfjs-gradients-hook.mjs resolves those. The gradients land in TF.js's
// global registry, shared with the CommonJS build the backends use.
import { register } from 'node:module';

let done: Promise<unknown> | undefined;

export function registerTfjsGradients(): Promise<unknown> {
  if (!done) {
    register(new URL('./tfjs-gradients-hook.mjs', import.meta.url));
    done = import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  }
  return done;
}
