import type { Metadata } from "next";
import { RepositoryTabs } from "@/components/repositories/repository-tabs";
import { TagTable } from "@/components/tags/tag-table";
import { listTags } from "@/lib/data/list-tags";
import { orNotFound } from "@/lib/data/or-not-found";

export const dynamic = "force-dynamic";

type Params = Promise<{ org: string; repo: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { org, repo } = await params;
  return { title: `${org}/${decodeURIComponent(repo)} tags` };
}

export default async function RepositoryTagsPage({ params }: { params: Params }) {
  const { org, repo } = await params;
  const { repository, tags } = await orNotFound(listTags(org, decodeURIComponent(repo)));
  return (
    <div>
      <RepositoryTabs repositoryName={repository.name} active="tags" />
      <TagTable repositoryName={repository.name} tags={tags} />
    </div>
  );
}
