// The avatar cropper's square: where it sits on the picked image and how far it is zoomed in.

export const MAX_ZOOM = 8;
const ZOOM_STEP = 1.15;
/** Arrow keys move the square by this share of its side (Shift: five times as far). */
const KEY_STEP = 0.05;

export class AvatarCrop {
  /** 1 = the largest square that fits; 2 = half that side. */
  zoom = $state(1);
  /** Centre of the square, in image pixels. */
  centerX = $state(0);
  centerY = $state(0);
  readonly width: number;
  readonly height: number;

  constructor(width: number, height: number) {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.centerX = this.width / 2;
    this.centerY = this.height / 2;
  }

  /** Side of the square in image pixels. */
  get side(): number {
    return Math.min(this.width, this.height) / this.zoom;
  }

  /** The square's top-left corner and side, in image pixels, always inside the image. */
  get rect(): { x: number; y: number; side: number } {
    const side = this.side;
    return { x: this.centerX - side / 2, y: this.centerY - side / 2, side };
  }

  #clamp(): void {
    const half = this.side / 2;
    this.centerX = Math.min(this.width - half, Math.max(half, this.centerX));
    this.centerY = Math.min(this.height - half, Math.max(half, this.centerY));
  }

  /** Move the square by (dx, dy) image pixels. */
  move(dx: number, dy: number): void {
    this.centerX += dx;
    this.centerY += dy;
    this.#clamp();
  }

  /**
   * Drag the picture by (dx, dy) screen pixels inside a viewport `viewport` pixels wide: the
   * picture follows the pointer, so the square moves the other way.
   */
  drag(dx: number, dy: number, viewport: number): void {
    const scale = this.side / Math.max(1, viewport);
    this.move(-dx * scale, -dy * scale);
  }

  setZoom(zoom: number): void {
    this.zoom = Math.min(MAX_ZOOM, Math.max(1, zoom));
    this.#clamp();
  }

  zoomIn(): void {
    this.setZoom(this.zoom * ZOOM_STEP);
  }

  zoomOut(): void {
    this.setZoom(this.zoom / ZOOM_STEP);
  }

  /** Keyboard control: arrows move, +/- zoom. True when the key was used. */
  key(key: string, shift = false): boolean {
    const step = this.side * KEY_STEP * (shift ? 5 : 1);
    switch (key) {
      case 'ArrowLeft': this.move(-step, 0); return true;
      case 'ArrowRight': this.move(step, 0); return true;
      case 'ArrowUp': this.move(0, -step); return true;
      case 'ArrowDown': this.move(0, step); return true;
      case '+': case '=': this.zoomIn(); return true;
      case '-': case '_': this.zoomOut(); return true;
      default: return false;
    }
  }
}
