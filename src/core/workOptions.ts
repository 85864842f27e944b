/** How long work (hashing, copying, verifying) reports its progress and is cancelled. */
export interface WorkOptions {
  /** Bytes done of the whole job, its total, and the item being worked on. */
  onProgress?: (done: number, total: number, item: string) => void;
  signal?: AbortSignal;
}
