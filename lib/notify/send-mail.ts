import nodemailer from "nodemailer";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to the plain text. */
  html?: string;
  /** Extra header fields, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
}

/** Whether SMTP_URL is set, so callers can say whether a message will be e-mailed. */
export function isMailConfigured(): boolean {
  return Boolean(getEnv().SMTP_URL);
}

/**
 * Sends one e-mail through SMTP_URL, as plain text with an optional HTML part. Throws an AppError naming the
 * recipient when the server refuses or cannot be reached; never logs credentials.
 */
export async function sendMail(mail: Mail): Promise<void> {
  const env = getEnv();
  if (!env.SMTP_URL) throw new AppError("CONFIGURATION", "E-mail is not configured. Set SMTP_URL to send e-mail.");
  const transport = nodemailer.createTransport(env.SMTP_URL);
  try {
    await transport.sendMail({ from: env.SMTP_FROM, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers });
    logger.info({ subject: mail.subject }, "e-mail sent");
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, "sending e-mail failed");
    throw new AppError("INTERNAL", `Sending e-mail to ${mail.to} failed: ${error instanceof Error ? error.message : String(error)}. Check SMTP_URL.`, { cause: error });
  } finally {
    transport.close();
  }
}
