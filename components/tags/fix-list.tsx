import { formatPercent } from "@/components/format";
import { InlineCode } from "@/components/inline-code";
import { TableHead } from "@/components/table-head";
import { fixAnchor } from "@/components/tags/tag-view-href";
import type { FixPlanView, TagFix } from "@/lib/data/get-tag-details";
import { gradeRank, type Grade, type LayerOrigin, type PackageUpgrade } from "@/scoring";

const originLabels: Record<LayerOrigin, string> = {
  "base-image": "Base image",
  "own-layers": "The image's own layers",
  unknown: "Unknown",
};

interface FixListProps {
  plan: FixPlanView;
  platformName: string;
  /** True when the tag has several platforms, so a fix on this one may leave the tag's grade as it is. */
  multiPlatform: boolean;
  /** Returns the vulnerability table's URL searched for one vulnerability id. */
  vulnerabilityHref: (id: string) => string;
}

/**
 * Renders the changes that make each failing or no-data policy pass, most
 * points regained first, each with its remediation and the grade it alone
 * would give. Vulnerability fixes list the packages to upgrade, where each
 * came from, and links to every finding that counts.
 */
export function FixList({ plan, platformName, multiPlatform, vulnerabilityHref }: FixListProps) {
  if (plan.fixes.length === 0) {
    return (
      <p className="rounded-lg border border-green-200 bg-green-50 p-3 text-sm text-green-900" data-testid="fixes-none">
        Every policy passes on {platformName}: there is nothing to fix.
      </p>
    );
  }

  return (
    <div>
      {plan.configVersion !== plan.reportConfigVersion && (
        <p className="mb-2 rounded border border-amber-200 bg-amber-50 p-2 text-sm text-amber-950">
          The report was graded under policy configuration version {plan.reportConfigVersion}, which can no longer be read, so these fixes were planned under version{" "}
          {plan.configVersion}. Packages may be missing from the vulnerability fixes until the image is graded again.
        </p>
      )}
      <ol className="space-y-3" aria-label="Fixes, most points first" data-testid="fixes">
        {plan.fixes.map((fix) => (
          <FixItem key={fix.policyId} fix={fix} plan={plan} platformName={platformName} multiPlatform={multiPlatform} vulnerabilityHref={vulnerabilityHref} />
        ))}
      </ol>
    </div>
  );
}

function FixItem({ fix, plan, platformName, multiPlatform, vulnerabilityHref }: { fix: TagFix } & FixListProps) {
  return (
    <li id={fixAnchor(fix.policyId)} className="rounded-lg border border-slate-200 bg-white p-4 text-sm" data-fix={fix.policyId} data-status={fix.status}>
      <div className="flex flex-wrap items-center gap-3">
        <h5 className="font-medium">{fix.title}</h5>
        <span className={`rounded px-2 py-0.5 text-xs font-semibold ${fix.status === "fail" ? "bg-red-100 text-red-800" : "bg-slate-200 text-slate-700"}`}>
          {fix.status === "fail" ? "Failed" : "No data"}
        </span>
        <span className="ml-auto font-semibold text-green-800" data-testid="fix-points">
          +{fix.points} {fix.points === 1 ? "point" : "points"}
        </span>
      </div>
      <p className="mt-1 text-slate-700">
        <InlineCode text={fix.summary} />
      </p>
      <p className="mt-1 text-slate-700" data-testid="fix-effect">
        {describeEffect(fix, plan, platformName, multiPlatform)}
      </p>
      {fix.remediation === null ? (
        <p className="mt-2 text-slate-600">No change can be named yet: {fix.status === "no-data" ? "the facts this policy needs are still missing." : "the result gives none."}</p>
      ) : (
        <p className="mt-2 rounded bg-amber-50 p-2 text-amber-950" data-testid="fix-remediation">
          <span className="font-semibold">Fix: </span>
          <InlineCode text={fix.remediation} />
        </p>
      )}
      {fix.packages !== undefined && fix.packages.length > 0 && <UpgradeTable packages={fix.packages} title={fix.title} vulnerabilityHref={vulnerabilityHref} />}
    </li>
  );
}

/**
 * Says what the change alone does: to the tag when it raises the tag's grade,
 * else to this platform, else that it keeps the grade.
 */
function describeEffect(fix: TagFix, plan: FixPlanView, platformName: string, multiPlatform: boolean): string {
  const percent = formatPercent(fix.percentIfFixed);
  if (plan.tagGrade !== null && isBetter(fix.tagGradeIfFixed, plan.tagGrade)) {
    return `This change alone takes the tag from ${plan.tagGrade} to ${fix.tagGradeIfFixed} (${multiPlatform ? `${platformName} to ` : ""}${percent}).`;
  }
  if (plan.platformGrade !== null && plan.tagGrade !== null && isBetter(fix.gradeIfFixed, plan.platformGrade)) {
    return `This change alone takes ${platformName} from ${plan.platformGrade} to ${fix.gradeIfFixed} (${percent}). The tag stays at ${plan.tagGrade}, because another platform is graded ${plan.tagGrade}.`;
  }
  const scope = multiPlatform ? platformName : "the tag";
  return `This change alone raises ${scope} to ${percent}, still ${fix.gradeIfFixed}. Combine it with other fixes to reach a better grade.`;
}

function isBetter(candidate: Grade, current: string): boolean {
  return gradeRank(candidate) < gradeRank(current as Grade);
}

function UpgradeTable({ packages, title, vulnerabilityHref }: { packages: PackageUpgrade[]; title: string; vulnerabilityHref: (id: string) => string }) {
  return (
    <div className="mt-3 overflow-x-auto">
      <table className="w-full text-sm" data-testid="fix-packages">
        <caption className="caption-top pb-1 text-left text-slate-600">Packages to upgrade for “{title}”</caption>
        <TableHead columns={[{ label: "Package" }, { label: "Installed" }, { label: "Fixed in" }, { label: "Comes from" }, { label: "Vulnerabilities" }]} />
        <tbody>
          {packages.map((upgrade) => (
            <tr key={upgrade.purl} className="border-t border-slate-100 align-top" data-package-name={upgrade.name} data-origin={upgrade.origin}>
              <th scope="row" className="px-3 py-1.5 text-left font-medium break-all" title={upgrade.purl}>
                {upgrade.name}
                <span className="block text-xs font-normal text-slate-600">{upgrade.type}</span>
              </th>
              <td className="px-3 py-1.5 font-mono break-all">{upgrade.version}</td>
              <td className="px-3 py-1.5 font-mono break-all">
                {upgrade.fixedVersions.length === 0 ? <span className="font-sans text-slate-600 italic">no fix yet</span> : upgrade.fixedVersions.join(", ")}
              </td>
              <td className="px-3 py-1.5">{originLabels[upgrade.origin]}</td>
              <td className="px-3 py-1.5">
                <ul className="flex flex-wrap gap-x-2">
                  {upgrade.vulnerabilityIds.map((id) => (
                    <li key={id}>
                      <a href={vulnerabilityHref(id)} className="font-mono text-blue-700 hover:underline">
                        {id}
                      </a>
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
