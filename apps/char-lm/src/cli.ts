import { resolve } from 'node:path';
import { selectBackend, UsageError, usage } from 'app-kit';
import { loadCorpus } from './datasets.js';
import { countParameters } from './model.js';
import { FLAGS, type Options, parseOptions } from './options.js';
import { generate } from './sample.js';
import { type EvalPoint, train } from './train.js';

export function formatEval(p: EvalPoint, steps: number, tokensPerStep: number): string {
  return [
    `step ${String(p.step).padStart(String(steps).length)}/${steps}`,
    `train loss ${p.trainLoss.toFixed(4)}`,
    `validation loss ${p.validationLoss.toFixed(4)}`,
    `(${p.seconds.toFixed(1)} s, ${Math.round((p.step * tokensPerStep) / p.seconds).toLocaleString('en-US')} tokens/s)`,
  ].join('  ');
}

function check(o: Options): void {
  if (o.resume && !o.save)
    throw new UsageError('--resume needs --save PATH (the checkpoint to continue)');
  if (o.model === 'gpt' && o.dim % o.heads !== 0)
    throw new UsageError(`--dim ${o.dim} must be a multiple of --heads ${o.heads}`);
  if (o.dropout >= 1) throw new UsageError(`--dropout must be below 1, got ${o.dropout}`);
  if (o.tieWeights && o.model !== 'gpt') throw new UsageError('--tie-weights is for --model gpt');
}

async function main(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseOptions(argv);
    check(o);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`char-lm: ${e.message}\nRun with --help for the flags.\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(
      `${usage('pnpm --filter char-lm start --', 'Trains a character-level language model (a small GPT or an LSTM) and writes a sample.', FLAGS)}\n`,
    );
    return 0;
  }
  // pnpm runs the script in apps/char-lm: paths the user typed are relative to where they typed them
  const here = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p);
  await selectBackend(o.backend as 'cpu' | 'webgpu');
  const corpus = await loadCorpus(
    o.data as 'names',
    o.text === undefined ? undefined : here(o.text),
  );
  const config = {
    ...o,
    model: o.model as 'gpt' | 'lstm',
    tieWeights: o.tieWeights === true,
    save: o.save === undefined ? undefined : here(o.save),
  };
  const size = (s: string) => Array.from(s).length.toLocaleString('en-US');
  const { run, history } = await train(config, corpus, {
    onStart: (r) =>
      console.log(
        `${corpus.name}: ${size(corpus.train)} training / ${size(corpus.validation)} validation characters, vocabulary ${corpus.vocab.size}; ${o.model} with ${countParameters(r.model).toLocaleString('en-US')} parameters, backend ${o.backend}${r.step ? `; resumed at step ${r.step}` : ''}`,
      ),
    onEval: (p) => console.log(formatEval(p, o.steps, o.batchSize * o.context)),
  });
  const prompt = o.prompt ?? (corpus.vocab.chars.includes('\n') ? '\n' : corpus.train[0]!);
  const ids = await generate(run.model, corpus.vocab.encode(prompt), {
    length: o.sample,
    temperature: o.temperature,
    topK: o.topK,
    seed: o.seed,
  });
  const sample = corpus.vocab.decode(ids);
  if (o.sample > 0)
    console.log(
      `\n--- sample (temperature ${o.temperature}${o.topK ? `, top-k ${o.topK}` : ''}, seed ${o.seed}) ---\n${o.prompt ?? ''}${sample}`,
    );
  if (o.json) {
    const last = history.at(-1)!;
    console.log(
      JSON.stringify({
        ...last,
        tokensPerSecond: (last.step * run.tokensPerStep) / last.seconds,
        sample,
        history,
      }),
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`char-lm: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
