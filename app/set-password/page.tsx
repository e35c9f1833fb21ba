import type { Metadata } from "next";
import { SetPasswordForm } from "@/components/auth/set-password-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set your password" };

export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const token = (await searchParams).token;
  return (
    <div className="mx-auto mt-12 max-w-sm rounded-lg border border-slate-200 bg-white p-6">
      <h1 className="mb-4 text-xl font-semibold">Set your password</h1>
      <SetPasswordForm token={typeof token === "string" ? token : ""} />
    </div>
  );
}
