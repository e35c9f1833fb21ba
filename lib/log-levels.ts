/** pino's log levels, the values LOG_LEVEL accepts. A module of its own, so that the environment module does not load pino. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
