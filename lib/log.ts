import pino from "pino";

/**
 * The structured logger. Level comes from LOG_LEVEL; the environment module is
 * not imported here so that scripts without a full environment can log too.
 */
// An invalid LOG_LEVEL falls back to info here; the environment module then reports it by name.
const levels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const requested = process.env.LOG_LEVEL ?? "info";
const level = levels.includes(requested) ? requested : "info";

export const logger = pino({
  level,
  redact: {
    paths: ["password", "token", "authorization", "*.password", "*.token", "*.authorization", "headers.authorization"],
    censor: "[redacted]",
  },
});
