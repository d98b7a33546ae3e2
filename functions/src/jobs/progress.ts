// POST /api/jobs/{id}/progress { stage, percent, message? }: the builder's progress report.
// Server to server, authorised by the job's callback secret, so no Origin check.
import { reportProgress } from "@doctown/core/jobCallbacks";
import { bearerToken, json, pathParam, rawJson, route } from "../http";

export const handler = route(
  async (req) => json(200, await reportProgress(pathParam(req, "id"), bearerToken(req), rawJson(req))),
  { checkOrigin: false },
);
