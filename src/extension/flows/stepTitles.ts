/**
 * Titles of a multi-step input, "Register Model Version — Step 2 of 5: semver label": each step
 * shown takes the next number, and a step found not to be needed after all is taken off the total,
 * so the numbers never skip.
 */
export class StepTitles {
  private shown = 0;

  constructor(
    private readonly title: string,
    private total: number,
  ) {}

  /** The title of the next step shown. */
  next(what: string): string {
    this.shown++;
    return `${this.title} — Step ${this.shown} of ${Math.max(this.total, this.shown)}: ${what}`;
  }

  /** The title of the step being shown again, for a follow-up input within it (a URI after "Enter a URI…"). */
  current(what: string): string {
    return `${this.title} — Step ${this.shown} of ${Math.max(this.total, this.shown)}: ${what}`;
  }

  /** A counted step that turned out not to be asked. */
  skip(): void {
    this.total--;
  }
}
