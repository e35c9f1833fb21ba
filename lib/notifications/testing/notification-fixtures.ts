import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { PrismaClient } from "@/lib/db";
import { findFreePort } from "@/lib/database/embedded-postgres";

export function digestOf(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

export interface ReceivedMail {
  to: string[];
  body: string;
}

/** Starts a real SMTP listener on loopback that keeps every message and rejects recipients while `refuse` is set. */
export async function startSmtpListener() {
  const received: ReceivedMail[] = [];
  const state = { refuse: false };
  const port = await findFreePort();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (state.refuse) return callback(Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((recipient) => recipient.address), body: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { received, state, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Starts a webhook receiver on loopback. Each request gets the next planned reply
 * (a status, a status with a body, or "hang" to never reply), and 200 once the plan is used up.
 */
export async function startWebhookReceiver() {
  const received: ReceivedRequest[] = [];
  const plan: (number | "hang" | { status: number; body: string })[] = [];
  const hanging: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      const reply = plan.shift() ?? 200;
      if (reply === "hang") {
        hanging.push(() => response.destroy());
        return;
      }
      if (typeof reply === "object") {
        response.writeHead(reply.status, { "content-type": "text/plain" }).end(reply.body);
        return;
      }
      response.writeHead(reply, { "content-type": "text/plain" }).end(reply === 200 ? "ok" : `error ${reply}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    plan,
    url: `http://127.0.0.1:${port}/hook`,
    close: async () => {
      for (const release of hanging) release();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Creates a manifest with one platform image, so tags and score reports can point at it. */
export async function createImage(prisma: PrismaClient, name: string): Promise<string> {
  const digest = digestOf(name);
  await prisma.manifest.create({ data: { digest, mediaType: "application/vnd.oci.image.manifest.v1+json", isIndex: false, size: 100 } });
  await prisma.image.create({
    data: { digest, mediaType: "application/vnd.oci.image.manifest.v1+json", platform: "linux/amd64", os: "linux", architecture: "amd64", configDigest: digestOf(`${name} config`), compressedSize: 100n },
  });
  await prisma.manifestImage.create({ data: { manifestDigest: digest, imageDigest: digest, platform: "linux/amd64" } });
  return digest;
}
