// Limits of the contract that the renderer needs as plain values (this module imports no zod).

/** A funnel has at most this many steps after "Conversations started". */
export const MAX_FUNNEL_STEPS = 5;
