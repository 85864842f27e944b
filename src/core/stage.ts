export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

/** Stages are written in any case by people (`@production`, `Production`); stored in one spelling. */
export function parseStage(text: string): Stage | undefined {
  const lower = text.toLowerCase();
  return STAGES.find((stage) => stage.toLowerCase() === lower);
}

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}
