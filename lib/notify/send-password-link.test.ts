import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { SMTPServer } from "smtp-server";
import { findFreePort } from "@/lib/database/embedded-postgres";
import { resetEnvForTests } from "@/lib/env";
import { sendPasswordLink } from "@/lib/notify/send-password-link";

interface Received {
  from: string;
  to: string[];
  body: string;
}

describe("sendPasswordLink", () => {
  const received: Received[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    port = await findFreePort();
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            body: Buffer.concat(chunks).toString("utf8"),
          });
          callback();
        });
      },
      onRcptTo(address, _session, callback) {
        if (address.address.endsWith("@refused.example.com")) return callback(new Error("mailbox unavailable"));
        callback();
      },
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    delete process.env.SMTP_URL;
    delete process.env.NEXTAUTH_URL;
    resetEnvForTests();
  });

  const link = { email: "new@example.com", organization: "acme", path: "/set-password?token=abc", expiresAt: new Date("2030-01-01T00:00:00Z") };

  test("without SMTP the owner is told to send the link", async () => {
    resetEnvForTests();
    expect(await sendPasswordLink(link)).toMatch(/not configured/);
    expect(received).toHaveLength(0);
  });

  test("with SMTP the link is e-mailed", async () => {
    process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
    process.env.NEXTAUTH_URL = "https://shipshape.example.com";
    resetEnvForTests();
    expect(await sendPasswordLink(link)).toBe("The link was e-mailed to new@example.com.");
    const message = received.at(-1);
    expect(message?.to).toEqual(["new@example.com"]);
    expect(message?.body).toContain("Subject: You were added to acme on Shipshape");
    expect(message?.body).toContain("https://shipshape.example.com/set-password?token=abc");
  });

  test("refused recipient keeps the link on the page", async () => {
    process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
    resetEnvForTests();
    const before = received.length;
    const outcome = await sendPasswordLink({ ...link, email: "someone@refused.example.com" });
    expect(outcome).toMatch(/Sending e-mail to someone@refused.example.com failed/);
    expect(outcome).toMatch(/Send the link yourself/);
    expect(received).toHaveLength(before);
  });
});
