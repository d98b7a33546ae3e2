// PATCH /api/docpacks/{id} { public }: the owner makes a docpack public or private.
import * as z from "zod";
import { setDocpackVisibility } from "@doctown/core/docpack";
import { json, jsonBody, pathParam, requireUserId, route } from "../http";
import { docpackView } from "../views";

const VisibilityChange = z.object({ public: z.boolean() });

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  const change = jsonBody(req, VisibilityChange);
  return json(200, docpackView(await setDocpackVisibility(pathParam(req, "id"), userId, change.public)));
});
