// Pausing the digest for a while: a week, a month, or until the reader resumes. A timed pause ends
// by itself (the digest builder and the senders compare `paused_until` with the clock), so nothing
// has to run when it ends. Pure: the clock comes in.

export type PauseChoice = 'none' | 'week' | 'month' | 'indefinite';

const PAUSE_CHOICES: readonly PauseChoice[] = ['none', 'week', 'month', 'indefinite'];

export interface PauseState {
  paused: boolean;
  /** null with paused: until the reader resumes */
  pausedUntil: Date | null;
}

const DAY_MS = 24 * 3600 * 1000;

/** What a choice on the preferences page stores, from now. */
export function pauseFor(choice: PauseChoice, now: Date): PauseState {
  switch (choice) {
    case 'none':
      return { paused: false, pausedUntil: null };
    case 'week':
      return { paused: true, pausedUntil: new Date(now.getTime() + 7 * DAY_MS) };
    case 'month':
      return { paused: true, pausedUntil: addMonth(now) };
    case 'indefinite':
      return { paused: true, pausedUntil: null };
  }
}

/** The same day next month, or its last day (31 January → 28/29 February), in UTC. */
function addMonth(now: Date): Date {
  const next = new Date(now.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const last = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(day, last));
  return next;
}

/** Whether the reader gets no digest now: paused, and a timed pause not over yet. */
export function isPaused(state: PauseState, now: Date): boolean {
  return state.paused && (state.pausedUntil === null || state.pausedUntil.getTime() > now.getTime());
}

/** The pause as it stands now (a timed pause that ended reads as none). */
export function currentPause(state: PauseState, now: Date): PauseState {
  return isPaused(state, now) ? state : { paused: false, pausedUntil: null };
}

/** The page's form field: `pause` (none|week|month|indefinite); the older checkbox `paused=on` means indefinite. */
export function readPauseChoice(pause: string | undefined, pausedCheckbox: string | undefined): PauseChoice | null {
  if (pause === undefined) return pausedCheckbox === 'on' ? 'indefinite' : 'none';
  return (PAUSE_CHOICES as readonly string[]).includes(pause) ? (pause as PauseChoice) : null;
}
