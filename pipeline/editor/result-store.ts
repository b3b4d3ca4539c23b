// In-memory results of an editor session (animation frames, guidance pictures, exported files),
// addressed by a random id and a file name; the oldest results are dropped past a byte budget.
import { randomBytes } from 'node:crypto';

/** One stored file. */
export interface StoredFile {
  readonly type: string;
  readonly body: Uint8Array;
  /** File name offered to the browser for download (Content-Disposition), if any. */
  readonly download?: string;
}

/** Default budget: 1 GiB (a 4K animation is about 100 MB of PNG). */
export const DEFAULT_STORE_BYTES = 1 << 30;

/** Results by id; insertion order is age. */
export class ResultStore {
  private readonly entries = new Map<string, { files: ReadonlyMap<string, StoredFile>; bytes: number }>();
  private total = 0;
  constructor(private readonly budgetBytes = DEFAULT_STORE_BYTES) {}

  /** Store files under a new id (16 hex digits) and return it; older entries go when over budget. */
  put(files: ReadonlyMap<string, StoredFile>): string {
    const id = randomBytes(8).toString('hex');
    let bytes = 0;
    for (const f of files.values()) bytes += f.body.byteLength;
    this.entries.set(id, { files, bytes });
    this.total += bytes;
    for (const [old, entry] of this.entries) {
      if (this.total <= this.budgetBytes || old === id) break;
      this.entries.delete(old);
      this.total -= entry.bytes;
    }
    return id;
  }

  /** A stored file, or undefined (unknown id or name, or dropped). */
  get(id: string, name: string): StoredFile | undefined {
    return this.entries.get(id)?.files.get(name);
  }

  /** Whether an id is still held. */
  has(id: string): boolean {
    return this.entries.has(id);
  }
}
