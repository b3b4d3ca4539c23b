// Plain data types shared by the pure maths and the I/O layers. Pure: no I/O.

/** An RGB image, interleaved HWC. 8-bit data is 0..255, 16-bit data is 0..65535. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint16Array;
}

/** A dense flow field, interleaved (u, v) per pixel in pixels, +x right, +y down. */
export interface FlowField {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/**
 * A motion guidance map, interleaved per pixel, each value in {-1, 0, 1}. With the default
 * 4 directions there are 2 channels (x, y) exactly as in the reference implementation;
 * all-zero means static.
 */
export interface GuidanceMap {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Int8Array;
}

/** An exact rational number, e.g. a frame rate of 30000/1001; `den` > 0, reduced. */
export interface Rational {
  readonly num: number;
  readonly den: number;
}
