export declare const watPath: string;
export declare const generatedPath: string;
/**
 * The bytes of kernels.wat (or of `text`), compiled with the features the kernels use; `shared`: the
 * build that imports a shared memory instead of having its own.
 */
export declare function compileKernels(text?: string, shared?: boolean): Promise<Uint8Array>;
/** The text of kernels.generated.ts for the two builds. */
export declare function generatedSource(bytes: Uint8Array, sharedBytes: Uint8Array): string;
/** The generated file's text from kernels.wat as it is. */
export declare function generate(): Promise<string>;
