// POST /api/jobs/{id}/complete { status: "succeeded", size, sha256 } | { status: "failed", error }.
// Server to server, authorised by the job's callback secret, so no Origin check.
import { reportCompletion } from "@doctown/core/jobCallbacks";
import { bearerToken, json, pathParam, rawJson, route } from "../http";

export const handler = route(
  async (req) => json(200, await reportCompletion(pathParam(req, "id"), bearerToken(req), rawJson(req))),
  { checkOrigin: false },
);
