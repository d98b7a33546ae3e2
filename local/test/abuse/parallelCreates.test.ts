/** Parallel creates through the real gateway: the per-user limit of builds in flight holds. */
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_JOBS_IN_FLIGHT } from "@doctown/core/jobSubmit";
import { signIn } from "../support/client";
import { figure, useAbuseStack } from "./support";

const abuse = useAbuseStack();
beforeAll(() => abuse.ready());

describe("parallel creates", () => {
  it(`12 parallel creates from one user → ${MAX_JOBS_IN_FLIGHT} accepted`, async () => {
    const { stack, repo } = abuse();
    const client = await signIn(stack.url, "racer");
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.post("/api/jobs", { repo: repo.path, git_ref: "main" })));
    const accepted = answers.filter((a) => a.status === 202).length;
    figure(`12 parallel creates from one user → ${accepted} accepted, ${answers.filter((a) => a.status === 429).length} × 429`);
    expect(accepted).toBe(MAX_JOBS_IN_FLIGHT);
    const jobs = (await client.getJson("/api/jobs?limit=100")).jobs as { status: string }[];
    expect(jobs.filter((job) => job.status === "pending" || job.status === "building")).toHaveLength(MAX_JOBS_IN_FLIGHT);
  });

  it("20 parallel creates from 5 users → none over the limit", async () => {
    const { stack, repo } = abuse();
    const clients = await Promise.all(Array.from({ length: 5 }, (_, i) => signIn(stack.url, `crowd${i}`)));
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % 5].post("/api/jobs", { repo: repo.path, git_ref: "main" })));
    const perUser = await Promise.all(
      clients.map(async (client) => ((await client.getJson("/api/jobs?limit=100")).jobs as { status: string }[]).filter((job) => job.status === "pending" || job.status === "building").length),
    );
    figure(`20 parallel creates from 5 users → ${answers.filter((a) => a.status === 202).length} accepted, in flight per user ${perUser.join("/")} (limit ${MAX_JOBS_IN_FLIGHT})`);
    expect(Math.max(...perUser)).toBeLessThanOrEqual(MAX_JOBS_IN_FLIGHT);
  });
});
