// Plays the 7 frames of an animation in a loop (forwards, or back and forth), at a chosen speed;
// a frame can also be picked by hand (which pauses playback).

/** Frame order of one loop: 0..n-1, or back and forth 0..n-1..1 (as the CLI's previews). */
export function loopOrder(n: number, pingPong: boolean): number[] {
  const forward = Array.from({ length: n }, (_, i) => i);
  return pingPong ? [...forward, ...forward.slice(1, -1).reverse()] : forward;
}

/** The player; `onFrame` runs whenever the shown frame changes. */
export class Player {
  frames: HTMLImageElement[] = [];
  /** Index of the frame shown. */
  current = 0;
  playing = false;
  pingPong = true;
  fps = 8;
  private step = 0;
  private last = 0;
  private raf = 0;
  constructor(private readonly onFrame: (index: number) => void) {}

  /** New frames: show the first and start playing. */
  load(frames: HTMLImageElement[]): void {
    this.frames = frames;
    this.step = 0;
    this.show(0);
    this.play();
  }

  get frame(): HTMLImageElement | null {
    return this.frames[this.current] ?? null;
  }

  play(): void {
    if (this.frames.length === 0 || this.playing) return;
    this.playing = true;
    this.last = performance.now();
    const tick = (now: number) => {
      if (!this.playing) return;
      if (now - this.last >= 1000 / this.fps) {
        this.last = now;
        const order = loopOrder(this.frames.length, this.pingPong);
        this.step = (this.step + 1) % order.length;
        this.show(order[this.step]!);
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.raf);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Show frame `index` (paused). */
  seek(index: number): void {
    this.pause();
    const n = this.frames.length;
    if (n === 0) return;
    const i = ((index % n) + n) % n;
    this.step = loopOrder(n, this.pingPong).indexOf(i);
    this.show(i);
  }

  private show(index: number): void {
    this.current = index;
    this.onFrame(index);
  }
}
