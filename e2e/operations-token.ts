/** The METRICS_TOKEN the e2e server starts with, so specs can scrape /api/metrics. */
export const E2E_METRICS_TOKEN = "e2e-metrics-token-not-secret";
