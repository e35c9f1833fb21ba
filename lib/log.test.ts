import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { AppError } from "@/lib/errors";

/** Logs through a logger that keeps its lines, and returns them. */
function logLines(write: (logger: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  const logger = createLogger({ write: (line: string) => void lines.push(line) });
  // The test setup may set LOG_LEVEL to keep test output quiet.
  logger.level = "info";
  write(logger);
  return lines;
}

describe("logger", () => {
  it("hides the DATABASE_URL password in an error", () => {
    const databaseUrl = "postgresql://shipshape:db-password-1234@db.internal:5432/shipshape";
    const [line] = logLines((logger) => logger.error({ err: new Error(`connecting to ${databaseUrl} failed`) }, "database unreachable"));
    expect(line).not.toContain("db-password-1234");
    expect(line).toContain("postgresql://shipshape:[redacted]@db.internal:5432/shipshape");
  });

  it("hides the SMTP_URL password in a field", () => {
    const [line] = logLines((logger) => logger.warn({ smtp: "smtps://mailer:smtp-password-5678@mail.example.com:465" }, "sending e-mail failed"));
    expect(line).not.toContain("smtp-password-5678");
    expect(line).toContain("smtps://mailer:[redacted]@mail.example.com:465");
  });

  it("hides advisory source credentials in a stack", () => {
    const source = "https://mirror-user:mirror-password-9012@mirror.example.com/osv/all.zip";
    const error = new AppError("INVALID_INPUT", `${source} could not be downloaded`);
    const [line] = logLines((logger) => logger.error({ err: error, source }, "advisory import failed"));
    expect(line).not.toContain("mirror-password-9012");
    expect(JSON.parse(line!)).toMatchObject({ source: "https://mirror-user:[redacted]@mirror.example.com/osv/all.zip" });
  });

  it.each([
    { fields: { password: "p-1" }, path: ["password"] },
    { fields: { registry: { token: "p-2" } }, path: ["registry", "token"] },
    { fields: { oidc: { client_secret: "p-3" } }, path: ["oidc", "client_secret"] },
    { fields: { headers: { authorization: "Bearer p-4", cookie: "session=p-5", "set-cookie": "session=p-6" } }, path: ["headers", "cookie"] },
    { fields: { request: { headers: { authorization: "Bearer p-7", cookie: "session=p-8" } } }, path: ["request", "headers", "authorization"] },
    { fields: { webhook: { secret: "p-9" } }, path: ["webhook", "secret"] },
  ])("redacts credential field $path", ({ fields, path }) => {
    const [line] = logLines((logger) => logger.info(fields, "request"));
    expect(line).not.toMatch(/p-\d/);
    let value: unknown = JSON.parse(line!);
    for (const key of path) value = (value as Record<string, unknown>)[key];
    expect(value).toBe("[redacted]");
  });

  it("keeps ordinary fields", () => {
    const [line] = logLines((logger) => logger.info({ org: "acme", url: "https://registry.example.com/v2/" }, "sync started"));
    expect(JSON.parse(line!)).toMatchObject({ org: "acme", url: "https://registry.example.com/v2/", msg: "sync started" });
  });
});
