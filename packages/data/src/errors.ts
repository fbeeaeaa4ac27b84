import { NablaError } from '@nablajs/tensor';

/**
 * Thrown when bytes are not the file format they claim to be: a bad IDX magic number, an unknown type
 * code, a truncated file or one with trailing bytes, or an image file and a label file that disagree.
 * A {@link NablaError}, like every error Nabla throws on bad input.
 *
 * The message names the operation, the file, what was expected and what was found, e.g.
 * `parseIdx: train-images-idx3-ubyte: truncated: header says 60000×28×28 uint8 = 47040000 data bytes, found 1000`.
 */
export class DataFormatError extends NablaError {
  /** The file (or the name given to `parseIdx`) that failed to parse. */
  readonly file: string;

  constructor(op: string, file: string, message: string, options?: { cause?: unknown }) {
    super(op, `${file}: ${message}`);
    this.file = file;
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
