import type { Metadata } from "next";
import { AnalysisQueueCard } from "@/components/overview/analysis-queue-card";
import { FailingPoliciesList } from "@/components/overview/failing-policies-list";
import { GradeDistributionSection } from "@/components/overview/grade-distribution-section";
import { GradeLossesTable } from "@/components/overview/grade-losses-table";
import { GradeTrendSection } from "@/components/overview/grade-trend-section";
import { LastSyncCard } from "@/components/overview/last-sync-card";
import { OrganizationTabs } from "@/components/overview/organization-tabs";
import { formatRepositoryCount } from "@/components/overview/overview-format";
import { requireViewer } from "@/lib/auth/get-viewer";
import { getOrgOverview, LOSS_WINDOW_DAYS } from "@/lib/data/get-org-overview";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam, titleSegment } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org } = await params;
  return { title: `${titleSegment(org)} overview` };
}

export default async function OrganizationOverviewPage({ params }: { params: Params }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const overview = await orNotFound(getOrgOverview(viewer, org));
  const { organization } = overview;

  return (
    <div>
      <OrganizationTabs organization={organization} active="overview" isOwner={overview.isOwner} />
      <p className="mb-4 text-slate-600" data-testid="repository-count">
        {overview.repositoryCount === 0
          ? `No repositories of ${organization} have been synced yet.`
          : `${formatRepositoryCount(overview.repositoryCount)}${overview.isOwner ? "" : " that you can read"}.`}
      </p>
      <div className="grid gap-4 sm:grid-cols-2">
        <LastSyncCard run={overview.lastSync} />
        <AnalysisQueueCard queue={overview.analysisQueue} />
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <GradeDistributionSection organization={organization} distribution={overview.distribution} />
        <GradeTrendSection trend={overview.trend} />
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <FailingPoliciesList organization={organization} policies={overview.failingPolicies} />
        <GradeLossesTable losses={overview.biggestLosses} windowDays={LOSS_WINDOW_DAYS} />
      </div>
    </div>
  );
}
