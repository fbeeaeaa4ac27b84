export declare const watPath: string;
export declare const generatedPath: string;
/** The bytes of kernels.wat (or of `text`), compiled with the features the kernels use. */
export declare function compileKernels(text?: string): Promise<Uint8Array>;
/** The text of kernels.generated.ts for these bytes. */
export declare function generatedSource(bytes: Uint8Array): string;
