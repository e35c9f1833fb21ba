import { InlineCode } from "@/components/inline-code";
import type { Evidence, PolicyId, PolicyResult } from "@/scoring";

const statusStyles = {
  pass: { label: "Passed", className: "bg-green-100 text-green-800" },
  fail: { label: "Failed", className: "bg-red-100 text-red-800" },
  "no-data": { label: "No data", className: "bg-slate-200 text-slate-700" },
} as const;

/** The policies whose evidence labels are vulnerability ids, apart from the "Findings" count and the "More" line. */
const vulnerabilityPolicies: ReadonlySet<PolicyId> = new Set(["no-fixable-critical-high", "no-high-profile-vulnerabilities"]);
const summaryLabels: ReadonlySet<string> = new Set(["Findings", "More"]);

const headingTags = { 3: "h3", 4: "h4", 5: "h5" } as const;

interface PolicyBreakdownProps {
  results: PolicyResult[];
  /** Level of each policy's title, so the list fits under the page's headings. Default 3. */
  headingLevel?: 3 | 4 | 5;
  /** A link per policy to the findings behind its lost points, shown under its summary. */
  findingLinks?: Partial<Record<PolicyId, { href: string; label: string; note: string | null }>>;
  /** A link per policy to its fix, shown after its remediation. */
  fixLinks?: Partial<Record<PolicyId, string>>;
  /** Returns the vulnerability table's URL searched for one id. With it, the ids in vulnerability evidence are links. */
  vulnerabilityHref?: (id: string) => string;
}

/** Lists each policy with its status, points, reason, evidence and fix. */
export function PolicyBreakdown({ results, headingLevel = 3, findingLinks = {}, fixLinks = {}, vulnerabilityHref }: PolicyBreakdownProps) {
  const Heading = headingTags[headingLevel];
  return (
    <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" aria-label="Policies">
      {results.map((result) => {
        const status = statusStyles[result.status];
        const findings = findingLinks[result.id];
        const fix = fixLinks[result.id];
        const linkIds = vulnerabilityHref !== undefined && vulnerabilityPolicies.has(result.id);
        return (
          <li key={result.id} className="p-4" data-policy={result.id} data-status={result.status}>
            <div className="flex flex-wrap items-center gap-3">
              <span className={`rounded px-2 py-0.5 text-xs font-semibold ${status.className}`}>{status.label}</span>
              <Heading className="font-medium">{result.title}</Heading>
              <span className="ml-auto text-sm text-slate-600">
                {result.points} / {result.weight} points
              </span>
            </div>
            <p className="mt-2 text-sm text-slate-700">
              <InlineCode text={result.summary} />
            </p>
            {findings && (
              <p className="mt-1 text-sm">
                <a href={findings.href} className="text-blue-700 underline" data-testid="policy-findings-link">
                  {findings.label}
                </a>
                {findings.note !== null && <span className="text-slate-600"> {findings.note}</span>}
              </p>
            )}
            {result.evidence.length > 0 && (
              <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
                {result.evidence.map((item, index) => (
                  <div key={index} className="contents">
                    <dt className="text-slate-600">{linkIds && !summaryLabels.has(item.label) ? <EvidenceLink item={item} href={vulnerabilityHref(item.label)} /> : item.label}</dt>
                    <dd className="font-mono break-all">{item.value}</dd>
                  </div>
                ))}
              </dl>
            )}
            {result.remediation && (
              <p className="mt-2 rounded bg-amber-50 p-2 text-sm text-amber-900">
                <span className="font-semibold">Fix: </span>
                <InlineCode text={result.remediation} />
                {fix && (
                  <>
                    {" "}
                    <a href={fix} className="text-blue-700 underline">
                      What this fix is worth<span className="sr-only"> for “{result.title}”</span>
                    </a>
                  </>
                )}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function EvidenceLink({ item, href }: { item: Evidence; href: string }) {
  return (
    <a href={href} className="font-mono text-blue-700 hover:underline" title={`Show ${item.label} in the vulnerability table`}>
      {item.label}
    </a>
  );
}
