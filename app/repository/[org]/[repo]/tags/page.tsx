import { requireViewer } from "@/lib/auth/get-viewer";
import type { Metadata } from "next";
import { RepositoryTabs } from "@/components/repositories/repository-tabs";
import { TagTable } from "@/components/tags/tag-table";
import { listTags } from "@/lib/data/list-tags";
import { orNotFound } from "@/lib/data/or-not-found";
import { repositoryParams, titleSegment } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string; repo: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org, repo } = await params;
  return { title: `${titleSegment(org)}/${titleSegment(repo)} tags` };
}

export default async function RepositoryTagsPage({ params }: { params: Params }) {
  const viewer = await requireViewer();
  const { org, repo } = repositoryParams(await params);
  const { repository, tags } = await orNotFound(listTags(viewer, org, repo));
  return (
    <div>
      <RepositoryTabs repositoryName={repository.name} active="tags" />
      <TagTable repositoryName={repository.name} tags={tags} />
    </div>
  );
}
