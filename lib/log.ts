import pino from "pino";

/**
 * The structured logger. Level comes from LOG_LEVEL; the environment module is
 * not imported here so that scripts without a full environment can log too.
 */
// the logger must work before the environment is validated
const level = process.env.LOG_LEVEL ?? "info";

export const logger = pino({
  level,
  redact: {
    paths: ["password", "token", "authorization", "*.password", "*.token", "*.authorization", "headers.authorization"],
    censor: "[redacted]",
  },
});
