/**
 * Webhook delivery: remembers each GitHub delivery for a week so that it is acted on once.
 *   DELIVERY#<X-GitHub-Delivery> / DELIVERY      a redelivery (same GUID) is answered without acting
 *   DELIVERYBODY#<sha256 of the body> / DELIVERY the signature covers only the body, so whoever saw
 *                                                one delivery could replay it under a fresh GUID or
 *                                                another X-GitHub-Event: the same signed bytes act once
 * Each claim is one conditional write; an expired item counts as absent (dynalite never deletes by
 * TTL, DynamoDB only lazily).
 */
import { createHash, randomUUID } from "node:crypto";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { services } from "./services";
import { conditionalWrite } from "./conditionalWrite";

export const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

/** GitHub sends a GUID; anything of this shape is accepted, nothing longer. */
export const DeliveryId = z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "X-GitHub-Delivery must be a GUID");

const deliveryKey = (deliveryId: string) => ({ pk: `DELIVERY#${deliveryId}`, sk: "DELIVERY" });
const contentKey = (sha256: string) => ({ pk: `DELIVERYBODY#${sha256}`, sk: "DELIVERY" });

/** A claimed delivery; `release` forgets it again so that GitHub's redelivery is processed. */
export type DeliveryClaim = { deliveryId: string; release(): Promise<void> };

/**
 * Records the delivery if both its id and its signed content are new (or their records expired).
 * Returns the claim, or null when either was already received: the caller then does nothing.
 */
export async function claimDelivery(deliveryId: string, event: string, body: Buffer): Promise<DeliveryClaim | null> {
  const id = DeliveryId.parse(deliveryId);
  const claimToken = randomUUID();
  const fields = { deliveryId: id, event, claimToken };
  if (!(await claim(deliveryKey(id), fields))) return null;
  const content = contentKey(createHash("sha256").update(body).digest("hex"));
  // A replay under a fresh id: its id stays recorded (it was never a real delivery), nothing acts.
  if (!(await claim(content, fields))) return null;
  return {
    deliveryId: id,
    async release() {
      await unclaim(deliveryKey(id), claimToken);
      await unclaim(content, claimToken);
    },
  };
}

async function claim(key: { pk: string; sk: string }, fields: Record<string, string>): Promise<boolean> {
  const { db, tableName, clock } = services();
  const now = clock.now();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return conditionalWrite(
    db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...key, entity: "webhookDelivery", ...fields, receivedAt: now.toISOString(), expiresAt: nowSeconds + DELIVERY_TTL_SECONDS },
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
        ExpressionAttributeValues: { ":now": nowSeconds },
      }),
    ),
  );
}

/** Only our own claim: a concurrent redelivery that claimed after an expiry keeps its record. */
async function unclaim(key: { pk: string; sk: string }, claimToken: string): Promise<void> {
  const { db, tableName } = services();
  await conditionalWrite(
    db.send(
      new DeleteCommand({
        TableName: tableName,
        Key: key,
        ConditionExpression: "claimToken = :claimToken",
        ExpressionAttributeValues: { ":claimToken": claimToken },
      }),
    ),
  );
}
