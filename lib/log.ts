import pino from "pino";
import { LOG_LEVELS } from "@/lib/log-levels";
import { hideUrlCredentials } from "@/lib/security/hide-credentials";

/**
 * The structured logger. Level comes from LOG_LEVEL; the environment module is
 * not imported here so that scripts without a full environment can log too.
 */
// An invalid LOG_LEVEL falls back to info here. The command line and the environment module report it by name.
const isLogLevel = (value: string) => (LOG_LEVELS as readonly string[]).includes(value);
const requested = process.env.LOG_LEVEL ?? "info";
const level = isLogLevel(requested) ? requested : "info";

/** Returns the error message for an invalid LOG_LEVEL, or null when it is unset or valid. */
export function invalidLogLevelMessage(): string | null {
  if (process.env.LOG_LEVEL === undefined || isLogLevel(process.env.LOG_LEVEL)) return null;
  return `LOG_LEVEL ${JSON.stringify(process.env.LOG_LEVEL)} is invalid. Set it to one of ${LOG_LEVELS.join(", ")}, or unset it for info.`;
}

/** Fields that carry credentials, at the top level of a log call's object, one level down, and in logged request headers. */
const credentialFields = ["password", "token", "authorization", "cookie", "secret", "clientSecret", "client_secret", "sealedPassword", "passwordHash"];
const headerPaths = ["headers.authorization", "headers.cookie", 'headers["set-cookie"]'];
const redactedPaths = [...credentialFields, ...credentialFields.map((field) => `*.${field}`), ...headerPaths, ...headerPaths.map((path) => `*.${path}`)];

/**
 * Builds a logger that writes JSON lines to `destination`, standard output by
 * default. Credential fields are replaced by "[redacted]". The password of
 * every URL in a line is hidden too, because error messages and stacks may
 * quote DATABASE_URL, SMTP_URL or an advisory source URL.
 */
export function createLogger(destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: redactedPaths, censor: "[redacted]" },
    hooks: { streamWrite: hideUrlCredentials },
  };
  return destination ? pino(options, destination) : pino(options);
}

let destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true });
let onStandardError = false;

/**
 * Sends every later log line, of `logger` and of its children, to standard
 * error. Commands whose standard output is their result (a score report, a
 * sync summary) call it, so that logs never mix into that output.
 */
export function logToStandardError(): void {
  if (onStandardError) return;
  onStandardError = true;
  destination = pino.destination({ dest: 2, sync: true });
}

export const logger = createLogger({ write: (line: string) => destination.write(line) });
