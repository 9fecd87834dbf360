/**
 * Which alerts are firing now, by rule kind, for the `scrapyard_alerts_firing` gauge: kept from `alert.changed`
 * events, and seeded once at start from the alert store (so the count is right after a restart). An event that
 * arrives while the seed is loading is newer than the seed, so the seed never overrides an alert an event named.
 *
 * Bounded: at most `max` firing alerts are tracked (more is a broken rule set; the overflow is not counted).
 */

export interface FiringAlert {
  alertId: string;
  ruleKind: string;
}

export class FiringAlerts {
  readonly #firing = new Map<string, string>();
  readonly #max: number;
  /** Alerts named by an event while the seed was loading (null once it has been applied). */
  #touched: Set<string> | null = null;

  constructor(max: number) {
    this.#max = max;
  }

  /** An alert changed state (`alert.changed`). */
  changed(alertId: string, ruleKind: string, state: string): void {
    if (this.#touched && this.#touched.size < this.#max) this.#touched.add(alertId);
    if (state === 'firing') this.#set(alertId, ruleKind);
    else this.#firing.delete(alertId);
  }

  /** Loads the alerts firing at start-up; events published meanwhile win. */
  async seed(load: () => Promise<FiringAlert[]>): Promise<void> {
    this.#touched = new Set();
    try {
      const rows = await load();
      for (const a of rows) if (!this.#touched.has(a.alertId)) this.#set(a.alertId, a.ruleKind);
    } finally {
      this.#touched = null;
    }
  }

  /** Firing alerts per rule kind. */
  byRuleKind(): Map<string, number> {
    const out = new Map<string, number>();
    for (const kind of this.#firing.values()) out.set(kind, (out.get(kind) ?? 0) + 1);
    return out;
  }

  #set(alertId: string, ruleKind: string): void {
    if (this.#firing.has(alertId) || this.#firing.size < this.#max) this.#firing.set(alertId, ruleKind);
  }
}
