import { getEnv } from "@/lib/env";
import { publicMessage } from "@/lib/errors";
import { isMailConfigured, sendMail } from "@/lib/notify/send-mail";

/**
 * E-mails a set-password link when SMTP is configured, and returns a sentence
 * for the owner that tells whether it was sent. It never throws, so a failed
 * delivery cannot stop the caller from showing the link.
 */
export async function sendPasswordLink(input: { email: string; organization: string; path: string; expiresAt: Date }): Promise<string> {
  if (!isMailConfigured()) return "E-mail is not configured (SMTP_URL), so send the link yourself.";
  const base = getEnv().NEXTAUTH_URL ?? "";
  try {
    await sendMail({
      to: input.email,
      subject: `You were added to ${input.organization} on Shipshape`,
      text: [
        `You were added to the organization ${input.organization} on Shipshape.`,
        "",
        "Set your password with this link, which works once and expires at",
        `${input.expiresAt.toISOString()}:`,
        "",
        `${base}${input.path}`,
      ].join("\n"),
    });
    return `The link was e-mailed to ${input.email}.`;
  } catch (error) {
    return `${publicMessage(error)} Send the link yourself.`;
  }
}
