/** The parts of the kernels module, in the order they are joined (the first opens the module). */
export declare const watParts: string[];
/** The module's text: its parts joined. */
export declare function readKernels(): string;
export declare const generatedPath: string;
/**
 * The kernels' text with the matmul tiles' multiply-adds fused (f32x4.relaxed_madd); throws unless
 * it finds exactly the 28 it expects.
 */
export declare function fuseMultiplyAdds(text: string): string;
/**
 * The bytes of the kernels (or of `text`), compiled with the features the kernels use; `shared`: the
 * build that imports a shared memory instead of having its own; `relaxed`: the build with fused
 * multiply-adds.
 */
export declare function compileKernels(
  text?: string,
  shared?: boolean,
  relaxed?: boolean,
): Promise<Uint8Array>;
/** The text of kernels.generated.ts for the four builds: [own, shared, own relaxed, shared relaxed]. */
export declare function generatedSource(
  builds: readonly [Uint8Array, Uint8Array, Uint8Array, Uint8Array],
): string;
/** The generated file's text from the kernels as they are. */
export declare function generate(): Promise<string>;
