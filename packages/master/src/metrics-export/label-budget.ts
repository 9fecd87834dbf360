/**
 * Caps the distinct (project, spider) label pairs a metric family may grow: every pair is a time series kept in
 * memory and in every scrape until the master restarts, and pairs come from what clients deploy. Past the cap,
 * new pairs are folded into one `_other` pair (totals stay right; only the breakdown is lost), and the first
 * overflow is reported once.
 */

export const OTHER = '_other';

export interface ProjectSpider {
  project: string;
  spider: string;
}

export class LabelBudget {
  readonly #seen = new Set<string>();
  readonly #max: number;
  readonly #onOverflow: (max: number) => void;
  #overflowed = false;

  constructor(max: number, onOverflow: (max: number) => void = () => {}) {
    this.#max = max;
    this.#onOverflow = onOverflow;
  }

  /** The labels to count this pair under: its own while the budget lasts (or it already has a series), else `_other`. */
  labels(project: string, spider: string): ProjectSpider {
    // NUL can't occur in a project or spider name, so the key is unambiguous.
    const key = `${project}\u0000${spider}`;
    if (this.#seen.has(key)) return { project, spider };
    if (this.#seen.size < this.#max) {
      this.#seen.add(key);
      return { project, spider };
    }
    if (!this.#overflowed) {
      this.#overflowed = true;
      this.#onOverflow(this.#max);
    }
    return { project: OTHER, spider: OTHER };
  }

  get size(): number {
    return this.#seen.size;
  }
}
