// A command line that does not fit the usage: exit 2 with the usage text.
export class UsageError extends Error {}
