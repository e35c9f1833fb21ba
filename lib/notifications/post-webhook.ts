import { getEnv } from "@/lib/env";
import { assertPublicTarget } from "@/lib/security/outbound-target";

/** Bytes of a receiver's response kept for the delivery log. */
const RESPONSE_BYTES_KEPT = 1024;

export interface WebhookResponse {
  status: number;
  /** The start of the response body, for the delivery log. */
  body: string;
}

/**
 * POSTs one webhook body and returns the receiver's status and the start of its
 * response. Throws on a network error or when the receiver does not respond within
 * timeoutMs. Every webhook request goes through this one function, which first
 * rejects a host that resolves to a private, loopback or link-local address.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookResponse> {
  await assertPublicTarget(new URL(url), getEnv().PRIVATE_TARGETS_ALLOWED, "webhook URL");
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "Shipshape-Notifications", ...headers },
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader && size < RESPONSE_BYTES_KEPT) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader?.cancel().catch(() => undefined);
  return { status: response.status, body: printable(Buffer.concat(chunks).toString("utf8").slice(0, RESPONSE_BYTES_KEPT)) };
}

/**
 * Replaces the control characters of a receiver's response, except tab and line breaks,
 * with U+FFFD: Postgres cannot store NUL, and the log page shows the text as it is.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "\uFFFD");
}
