import { MAX_LISTED_EVENTS, messageSubject, summaryLines, type MessageEvent } from "@/lib/notifications/notification-message";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * Renders one notification e-mail, as plain text and HTML with the same
 * content: one event in full, or a summary of several (an immediate burst or
 * a daily digest) with counts per kind and cause and up to MAX_LISTED_EVENTS
 * events listed. Every unsubscribe link stops one rule.
 */
export function renderEmail(input: { organization: string; events: readonly MessageEvent[]; digest: boolean; unsubscribe: readonly { label: string; url: string }[] }): EmailContent {
  const { events } = input;
  const subject = messageSubject(events, input.organization, input.digest);
  const listed = events.slice(0, MAX_LISTED_EVENTS);
  const unlisted = events.length - listed.length;
  const causeOf = (event: MessageEvent) => (event.causeIds.length > 0 ? `${event.cause} (${event.causeIds.slice(0, 5).join(", ")}${event.causeIds.length > 5 ? ", …" : ""})` : event.cause);

  const text: string[] = [];
  const html: string[] = [];
  if (events.length === 1 && !input.digest) {
    const event = events[0]!;
    text.push(event.title, "", `Cause: ${causeOf(event)}`, `View it: ${event.link}`);
    html.push(`<p><strong>${escapeHtml(event.title)}</strong></p>`, `<p>Cause: ${escapeHtml(causeOf(event))}</p>`, `<p><a href="${escapeHtml(event.link)}">View it in Shipshape</a></p>`);
  } else {
    const lines = summaryLines(events);
    text.push(`${subject}.`, "", ...lines, "");
    html.push(`<p><strong>${escapeHtml(subject)}.</strong></p>`, `<ul>${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>`);
    for (const event of listed) text.push(`- ${event.title}: ${event.link}`);
    html.push(`<ul>${listed.map((event) => `<li><a href="${escapeHtml(event.link)}">${escapeHtml(event.title)}</a></li>`).join("")}</ul>`);
    if (unlisted > 0) {
      text.push(`… and ${unlisted} more.`);
      html.push(`<p>… and ${unlisted} more.</p>`);
    }
  }

  if (input.unsubscribe.length > 0) {
    text.push("", "You receive this because of these notification rules. Unsubscribe from one:");
    html.push("<hr><p>You receive this because of these notification rules. Unsubscribe from one:</p><ul>");
    for (const link of input.unsubscribe) {
      text.push(`- ${link.label}: ${link.url}`);
      html.push(`<li>${escapeHtml(link.label)}: <a href="${escapeHtml(link.url)}">unsubscribe</a></li>`);
    }
    html.push("</ul>");
  }
  return { subject, text: `${text.join("\n")}\n`, html: `<!doctype html><html><body>${html.join("\n")}</body></html>` };
}
