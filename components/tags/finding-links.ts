import { fixAnchor } from "@/components/tags/tag-view-href";
import { vulnerabilitiesHref } from "@/components/tags/vulnerabilities-href";
import type { PackageQuery } from "@/lib/data/get-image-analysis";
import type { FixPlanView } from "@/lib/data/get-tag-details";
import type { PolicyId } from "@/scoring";

/** A link from a policy to the findings behind its lost points. */
export interface FindingLink {
  href: string;
  label: string;
  /** A caveat about findings the linked view lists beyond those that count. Null when it lists exactly those. */
  note: string | null;
}

/**
 * Links each failing vulnerability policy to the findings behind its lost
 * points: the vulnerability table filtered by the policy's rule, or the fix
 * that lists each finding when the table has no filter for the rule (known
 * exploitation and the high-profile list).
 */
export function findingLinks(plan: FixPlanView, tagPath: string, platform: string, packageQuery: PackageQuery): Partial<Record<PolicyId, FindingLink>> {
  const links: Partial<Record<PolicyId, FindingLink>> = {};
  const failing = new Map(plan.fixes.filter((fix) => fix.status === "fail").map((fix) => [fix.policyId, fix]));

  if (failing.has("no-fixable-critical-high")) {
    const rule = plan.criticalHighRule;
    const query = { severities: [...rule.severities], hideSuppressed: true, ...(rule.fixableOnly ? { fixableOnly: true } : {}) };
    const fixable = rule.fixableOnly ? " with a fixed version" : "";
    links["no-fixable-critical-high"] = {
      href: vulnerabilitiesHref(tagPath, platform, query, packageQuery),
      label: `Show the unsuppressed ${joinWithOr(rule.severities)} findings${fixable} in the vulnerability table`,
      note:
        rule.graceDays > 0 || rule.packageTypes !== null
          ? "The table cannot filter by grace period or package type, so it may also list findings that do not count. The fix lists exactly those that do."
          : null,
    };
  }

  const highProfile = failing.get("no-high-profile-vulnerabilities");
  if (highProfile?.packages !== undefined && highProfile.packages.length > 0) {
    links["no-high-profile-vulnerabilities"] = {
      href: `#${fixAnchor(highProfile.policyId)}`,
      label: "Show each package and finding that counts, with links to the vulnerability table",
      note: null,
    };
  }
  return links;
}

function joinWithOr(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}
