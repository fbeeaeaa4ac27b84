// The drawing pad, and MNIST's preprocessing applied to what is drawn on it.

/** Side of MNIST's images, and of the box the digit is scaled into inside them. */
const SIDE = 28;
const BOX = 20;

/**
 * Turns a drawing into an MNIST-like image, as MNIST's digits were made: the ink's bounding box
 * is scaled (keeping its aspect ratio, averaging the pixels it covers) to fit a 20 × 20 box, which
 * is placed in the 28 × 28 image so that the ink's centre of mass is at the centre.
 *
 * @param ink `width × height` values in [0, 1], row-major, 1 = full ink.
 * @returns 784 values in [0, 1], or null when nothing is drawn.
 */
export function toMnist(
  ink: ArrayLike<number>,
  width: number,
  height: number,
): Float32Array | null {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (ink[y * width + x]! > 0.05) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) return null;
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const scale = BOX / Math.max(bw, bh);
  const [tw, th] = [Math.max(1, Math.round(bw * scale)), Math.max(1, Math.round(bh * scale))];
  const small = new Float32Array(tw * th);
  let [mass, mx, my] = [0, 0, 0];
  for (let ty = 0; ty < th; ty++) {
    const [sy0, sy1] = span(y0, ty, scale, y1);
    for (let tx = 0; tx < tw; tx++) {
      const [sx0, sx1] = span(x0, tx, scale, x1);
      let sum = 0;
      for (let y = sy0; y < sy1; y++) for (let x = sx0; x < sx1; x++) sum += ink[y * width + x]!;
      const v = Math.min(1, sum / ((sy1 - sy0) * (sx1 - sx0)));
      small[ty * tw + tx] = v;
      mass += v;
      mx += v * (tx + 0.5);
      my += v * (ty + 0.5);
    }
  }
  const out = new Float32Array(SIDE * SIDE);
  const ox = Math.round(SIDE / 2 - mx / mass);
  const oy = Math.round(SIDE / 2 - my / mass);
  for (let ty = 0; ty < th; ty++)
    for (let tx = 0; tx < tw; tx++) {
      const [x, y] = [tx + ox, ty + oy];
      if (x >= 0 && x < SIDE && y >= 0 && y < SIDE) out[y * SIDE + x] = small[ty * tw + tx]!;
    }
  return out;
}

/** The source pixels [from, to) under target pixel t, at least one, inside the box ending at `last`. */
function span(origin: number, t: number, scale: number, last: number): [number, number] {
  const from = Math.min(last, origin + Math.floor(t / scale));
  return [from, Math.min(last + 1, Math.max(from + 1, origin + Math.ceil((t + 1) / scale)))];
}

const INK = [17, 17, 17];

/** Paints a 28 × 28 image (`max` = full ink) into a canvas of that size, dark ink on white. */
export function paintDigit(canvas: HTMLCanvasElement, values: ArrayLike<number>, max = 1): void {
  canvas.width = canvas.height = SIDE;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(255 * (1 - Math.min(1, values[i]! / max)));
    image.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * A canvas to draw a digit on with a mouse, a finger or a pen (pointer events). The ink is the
 * canvas's alpha channel. `onInk(done)` is called while drawing (at most once a frame) and when a
 * stroke ends (`done`).
 */
export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: [number, number] = [0, 0];
  private frame = 0;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onInk: (done: boolean) => void,
  ) {
    canvas.width = canvas.height = 280;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    canvas.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.point(e);
      this.stroke(this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      // the coalesced events carry every position since the last event (none for synthetic ones)
      const events = e.getCoalescedEvents?.() ?? [];
      for (const ev of events.length ? events : [e]) this.stroke(this.point(ev));
      if (!this.frame)
        this.frame = requestAnimationFrame(() => {
          this.frame = 0;
          if (this.drawing) this.onInk(false);
        });
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.onInk(true);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [
      ((e.clientX - r.left) * this.canvas.width) / r.width,
      ((e.clientY - r.top) * this.canvas.height) / r.height,
    ];
  }

  private stroke(to: [number, number]) {
    const c = this.ctx;
    c.strokeStyle = `rgb(${INK.join(',')})`;
    c.lineWidth = this.canvas.width / 11;
    c.lineCap = c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(...this.last);
    c.lineTo(...to);
    c.stroke();
    this.last = to;
  }

  clear(): void {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** The ink, `width × height` values in [0, 1]. */
  ink(): Float32Array {
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const ink = new Float32Array(width * height);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3]! / 255;
    return ink;
  }

  /** What the network sees: {@link toMnist} of the ink. */
  image(): Float32Array | null {
    return toMnist(this.ink(), this.canvas.width, this.canvas.height);
  }

  /** Shows a 28 × 28 digit (bytes, 255 = ink), scaled up to fill the pad. */
  show(pixels: Uint8Array): void {
    const small = document.createElement('canvas');
    small.width = small.height = SIDE;
    const sctx = small.getContext('2d')!;
    const image = sctx.createImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) image.data.set([...INK, pixels[i]!], 4 * i);
    sctx.putImageData(image, 0, 0);
    this.clear();
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
  }
}
