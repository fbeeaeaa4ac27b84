/** The parts of the kernels module, in the order they are joined (the first opens the module). */
export declare const watParts: string[];
/** The module's text: its parts joined. */
export declare function readKernels(): string;
export declare const generatedPath: string;
/**
 * The bytes of the kernels (or of `text`), compiled with the features the kernels use; `shared`: the
 * build that imports a shared memory instead of having its own.
 */
export declare function compileKernels(text?: string, shared?: boolean): Promise<Uint8Array>;
/** The text of kernels.generated.ts for the two builds. */
export declare function generatedSource(bytes: Uint8Array, sharedBytes: Uint8Array): string;
/** The generated file's text from the kernels as they are. */
export declare function generate(): Promise<string>;
