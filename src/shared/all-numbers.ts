// "All numbers": the value of a report's `phone` (dashboard picker, CLI `--phone all`) that covers every
// business number of the workspace at once (docs/metrics.md "All numbers"). No phone_number_id or display
// number can be it: those hold digits.

export const ALL_NUMBERS = 'all';
export const ALL_NUMBERS_NAME = 'All numbers';

export const isAllNumbers = (phone: string): boolean => phone.trim().toLowerCase() === ALL_NUMBERS;
