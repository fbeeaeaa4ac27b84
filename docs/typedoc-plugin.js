// A TypeDoc plugin of the docs site.
// - The composites (`mean`, `softmax`, …) are written once, as the documented members of
//   `COMPOSITES` in @nablajs/tensor, and become methods of Tensor and Variable through a mapped
//   type, which TypeDoc does not carry comments through: copy them over.
// - A package whose entry point has no `@module` tag would be called `dir/src`: call it by the
//   name in its package.json instead.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Converter, ReflectionKind } from 'typedoc';

const root = fileURLToPath(new URL('../packages/', import.meta.url));
const packageNames = new Map(
  readdirSync(root)
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .map((dir) => [
      `${dir}/src`,
      JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).name,
    ]),
);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module))
      module.name = packageNames.get(module.name) ?? module.name;
  });
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const project = context.project;
    const composites = project
      .getReflectionsByKind(ReflectionKind.Variable)
      .find((r) => r.name === 'COMPOSITES');
    const members = composites?.type?.type === 'reflection' ? composites.type.declaration : null;
    if (!members) return;
    for (const method of project.getReflectionsByKind(ReflectionKind.Method)) {
      // inherited from CompositeMethods, or through Variable (Parameter extends Variable)
      if (!method.inheritedFrom) continue;
      const source = members.getChildByName(method.name)?.signatures?.[0]?.comment;
      if (!source) continue;
      for (const signature of method.signatures ?? []) signature.comment ??= source.clone();
    }
  });
}
