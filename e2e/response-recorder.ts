import type { APIResponse, BrowserContext } from "@playwright/test";

/** A response as the secret scan reads it: where it came from, its headers and its body. */
export interface RecordedResponse {
  where: string;
  method: string;
  headers: string;
  body: string;
  /** Secrets this response may contain because it shows them once, right after creating them. */
  allowedSecrets: string[];
  /** Whether a request client, not a browser page, received it. */
  fromApiClient: boolean;
}

/**
 * Keeps every response that browser contexts and API requests receive, so they
 * can be scanned once all secrets are known. Static assets are kept once per
 * URL because their content does not change while the server runs.
 */
export class ResponseRecorder {
  readonly responses: RecordedResponse[] = [];
  /** Browser requests that failed before a response came, such as those of a page that closed. */
  requestsFailed = 0;
  private readonly staticUrls = new Set<string>();
  private allowing: string[] = [];

  /**
   * Records every response the context's pages receive. Requests are routed
   * through Playwright's client and fulfilled from its response, because
   * Chromium drops the bodies of responses a page navigates away from.
   */
  async watch(context: BrowserContext, label: string): Promise<void> {
    await context.route("**/*", async (route) => {
      const request = route.request();
      const allowedSecrets = request.method() === "POST" ? this.allowing : [];
      let response: APIResponse;
      try {
        response = await route.fetch({ maxRedirects: 0 });
      } catch {
        // The page closed while the request ran, so no response reaches the browser.
        this.requestsFailed += 1;
        await route.abort().catch(() => undefined);
        return;
      }
      const body = await response.body();
      const url = request.url();
      if (!url.includes("/_next/static/") || !this.staticUrls.has(url)) {
        this.staticUrls.add(url);
        this.add({ where: `${label}: ${request.method()} ${url} → ${response.status()}`, method: request.method(), headers: formatHeaders(response.headersArray()), body: body.toString("utf8"), fromApiClient: false }, allowedSecrets);
      }
      await route.fulfill({ response, body }).catch(() => undefined);
    });
  }

  /** Records a response of a Playwright request client. */
  async recordApi(response: APIResponse, method: string, label: string): Promise<void> {
    this.add({ where: `${label}: ${method} ${response.url()} → ${response.status()}`, method, headers: formatHeaders(response.headersArray()), body: await response.text(), fromApiClient: true });
  }

  /**
   * Runs `action` and marks the POST responses received meanwhile as allowed to
   * contain the named secrets, because those are the server action responses
   * that show a new secret once. Other responses in that time are scanned as usual.
   */
  async allowSecretsIn<T>(secretNames: string[], action: () => Promise<T>): Promise<T> {
    this.allowing = secretNames;
    try {
      return await action();
    } finally {
      this.allowing = [];
    }
  }

  private add(response: Omit<RecordedResponse, "allowedSecrets">, allowedSecrets: string[] = []): void {
    this.responses.push({ ...response, allowedSecrets });
  }
}

function formatHeaders(headers: { name: string; value: string }[]): string {
  return headers.map((header) => `${header.name}: ${header.value}`).join("\n");
}
