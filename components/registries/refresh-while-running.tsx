"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Interval between refreshes while a sync runs, in milliseconds. */
const REFRESH_MS = 2000;

/** Refreshes the page's server data every two seconds while `running` is true, so sync progress updates in place. */
export function RefreshWhileRunning({ running }: { running: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => router.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [running, router]);
  return null;
}
