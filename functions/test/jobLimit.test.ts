/**
 * The per-user limit of builds in flight under parallel requests (build slots, core/src/buildSlot.ts):
 * it holds however many creates arrive at once, frees a slot exactly when a job finishes, and heals
 * a slot leaked by a process that died between a job's finish and the release.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slotHolders } from "@doctown/core/buildSlot";
import { failJob, findJob } from "@doctown/core/job";
import { MAX_JOBS_IN_FLIGHT } from "@doctown/core/jobSubmit";
import { services } from "@doctown/core/services";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { callApi, signIn } from "./support/api";

const SHA = "1".repeat(40);
const users = Array.from({ length: 6 }, (_, i) => ({ id: 201 + i, login: `user${i}`, token: `gho_user${i}` }));

let env: TestEnvironment;
const cookies = new Map<number, string>();
beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: users,
    githubRepos: users.map((user) => ({ owner: user.login, name: "project", refs: { main: SHA } })),
  });
  for (const user of users) cookies.set(user.id, await signIn(user));
});
afterAll(() => env?.stop());

const create = (user: (typeof users)[number]) => callApi("POST", "/api/jobs", { body: { repo: `${user.login}/project`, git_ref: "main" }, cookie: cookies.get(user.id) });
const inFlight = async (userId: number) =>
  (await scanItems("job")).filter((job) => job.userId === String(userId) && (job.status === "pending" || job.status === "building"));

describe("the per-user limit of builds in flight", () => {
  it(`12 parallel creates from one user: exactly ${MAX_JOBS_IN_FLIGHT} accepted`, async () => {
    const [user] = users;
    const answers = await Promise.all(Array.from({ length: 12 }, () => create(user)));
    const accepted = answers.filter((answer) => answer.status === 202);
    console.log(`12 parallel creates → ${accepted.length} accepted`);
    expect(accepted).toHaveLength(MAX_JOBS_IN_FLIGHT);
    expect(answers.filter((answer) => answer.status === 429).every((answer) => answer.json.error.code === "too_many_jobs")).toBe(true);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(12 - MAX_JOBS_IN_FLIGHT);
    expect(await inFlight(user.id)).toHaveLength(MAX_JOBS_IN_FLIGHT);
  });

  it("20 parallel creates from 5 users: none over the limit", async () => {
    const five = users.slice(1, 6);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => create(five[i % 5])));
    const perUser = await Promise.all(five.map(async (user) => (await inFlight(user.id)).length));
    console.log(`20 parallel creates from 5 users → ${answers.filter((a) => a.status === 202).length} accepted, per user ${perUser.join("/")}`);
    // Four requests each: three accepted, one refused, for every user.
    expect(perUser).toEqual(five.map(() => MAX_JOBS_IN_FLIGHT));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(perUser.reduce((a, b) => a + b, 0));
  });

  it("a finished job frees its slot exactly once; a late repeated release frees nothing", async () => {
    const [user] = users;
    const jobs = await inFlight(user.id);
    expect((await create(user)).status).toBe(429);
    const first = jobs[0].id as string;
    expect(await failJob(first, { code: "test", message: "done" })).toMatchObject({ changed: true });
    const replacement = await create(user);
    expect(replacement.status).toBe(202);
    // The first job failing again (a duplicate MarkFailed) must not free the slot the replacement holds.
    expect(await failJob(first, { code: "test", message: "again" })).toMatchObject({ changed: false });
    expect((await create(user)).status).toBe(429);
    expect((await slotHolders(String(user.id), MAX_JOBS_IN_FLIGHT)).map((h) => h.jobId)).toContain(replacement.json.job_id);
  });

  it("a slot leaked by a finished job (release lost in a crash) is taken back on the next create", async () => {
    const [user] = users;
    const holders = await slotHolders(String(user.id), MAX_JOBS_IN_FLIGHT);
    const { db, tableName } = services();
    // Simulate the crash: the job finishes but its slot item stays.
    const leaked = holders[0];
    const job = (await findJob(leaked.jobId))!;
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: `JOB#${job.id}`, sk: "JOB", ...(await scanItems("job")).find((j) => j.id === job.id), status: "failed" } }));
    expect(await slotHolders(String(user.id), MAX_JOBS_IN_FLIGHT)).toHaveLength(MAX_JOBS_IN_FLIGHT);
    const created = await create(user);
    expect(created.status).toBe(202);
    expect((await slotHolders(String(user.id), MAX_JOBS_IN_FLIGHT)).map((h) => h.jobId)).toContain(created.json.job_id);
    expect((await create(user)).status).toBe(429);
  });
});
