// LRScheduler: drives an optimizer's group lrs from a schedule function. The lr for step t is
// written on construction (t = 0) and after every step(), so call it after optimizer.step().

import { ValueError } from "../util/errors.js";
import type { Schedule } from "./schedules.js";
import { describeValue } from "../util/describe.js";

export interface LRSchedulerState {
  lastStep: number;
}

type LrGroup = { lr: number };

/** Anything with param groups that have an lr (every Optimizer). */
export interface LrOptimizer {
  readonly paramGroups: LrGroup[];
}

export class LRScheduler {
  /** The step whose lr is currently in the optimizer (0 after construction). */
  lastStep = 0;
  private readonly schedules: Schedule[];

  /** `schedule` applies to every param group; pass one per group to schedule groups differently. */
  constructor(readonly optimizer: LrOptimizer, schedule: Schedule | readonly Schedule[]) {
    if (!Array.isArray((optimizer as LrOptimizer | null)?.paramGroups)) {
      throw new ValueError(`LRScheduler: optimizer must be an optimizer with paramGroups, got ${describeValue(optimizer)}`);
    }
    const groups = optimizer.paramGroups;
    if (Array.isArray(schedule)) {
      if (schedule.length !== groups.length) {
        throw new ValueError(`LRScheduler: got ${schedule.length} schedules for ${groups.length} param groups`);
      }
      const bad = schedule.findIndex((f) => typeof f !== "function");
      if (bad >= 0) throw new ValueError(`LRScheduler: schedule ${bad} is ${typeof schedule[bad]}, expected a function (step) => lr`);
      this.schedules = [...schedule];
    } else if (typeof schedule === "function") {
      this.schedules = groups.map(() => schedule as Schedule);
    } else {
      throw new ValueError(`LRScheduler: schedule must be a function (step) => lr or an array of them, got ${typeof schedule}`);
    }
    this.moveTo(0);
  }

  /** Advance one step and write the new lr into every group. */
  step(): void {
    this.moveTo(this.lastStep + 1);
  }

  /** The lr of every group as last written (PyTorch's get_last_lr()). */
  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): LRSchedulerState {
    return { lastStep: this.lastStep };
  }

  /** Restore the step counter and rewrite the lrs for it. */
  loadStateDict(s: LRSchedulerState): void {
    if (!s || !Number.isInteger(s.lastStep) || s.lastStep < 0) {
      throw new ValueError(`LRScheduler.loadStateDict: lastStep must be a non-negative integer, got ${String(s?.lastStep)}`);
    }
    this.moveTo(s.lastStep);
  }

  /**
   * Make `step` current: compute (and validate) every group's lr first, then write them and the
   * step counter, so a schedule that throws or returns a bad lr leaves the scheduler and optimizer as they were.
   */
  private moveTo(step: number): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.schedules.length) {
      throw new ValueError(`LRScheduler: the optimizer has ${groups.length} param groups but the scheduler was built for ${this.schedules.length} (add param groups before creating the scheduler)`);
    }
    const lrs = this.schedules.map((f, i) => {
      const lr = f(step);
      if (typeof lr !== "number" || !Number.isFinite(lr) || lr < 0) {
        throw new ValueError(`LRScheduler: schedule for group ${i} returned ${String(lr)} at step ${step}; expected a finite lr >= 0`);
      }
      return lr;
    });
    lrs.forEach((lr, i) => {
      groups[i]!.lr = lr;
    });
    this.lastStep = step;
  }
}
