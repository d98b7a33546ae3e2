/**
 * Webhook delivery (DELIVERY#<X-GitHub-Delivery>, DELIVERY): remembers each GitHub delivery for a
 * week so a redelivery (same GUID) is answered without acting twice. The claim is one conditional
 * write; an expired item counts as absent (dynalite never deletes by TTL, DynamoDB only lazily).
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { services } from "./services";

export const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

/** GitHub sends a GUID; anything of this shape is accepted, nothing longer. */
export const DeliveryId = z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "X-GitHub-Delivery must be a GUID");

const deliveryKey = (deliveryId: string) => ({ pk: `DELIVERY#${deliveryId}`, sk: "DELIVERY" });

/** A claimed delivery; `release` forgets it again so that GitHub's redelivery is processed. */
export type DeliveryClaim = { deliveryId: string; release(): Promise<void> };

/**
 * Records the delivery if it is new (or its record expired). Returns the claim, or null when this
 * delivery was already received: the caller then does nothing.
 */
export async function claimDelivery(deliveryId: string, event: string): Promise<DeliveryClaim | null> {
  const id = DeliveryId.parse(deliveryId);
  const { db, tableName, clock } = services();
  const now = clock.now();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const claimToken = randomUUID();
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...deliveryKey(id),
          entity: "webhookDelivery",
          deliveryId: id,
          event,
          claimToken,
          receivedAt: now.toISOString(),
          expiresAt: nowSeconds + DELIVERY_TTL_SECONDS,
        },
        ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
        ExpressionAttributeValues: { ":now": nowSeconds },
      }),
    );
  } catch (error) {
    if ((error as Error).name === "ConditionalCheckFailedException") return null;
    throw error;
  }
  return {
    deliveryId: id,
    async release() {
      // Only our own claim: a concurrent redelivery that claimed after an expiry keeps its record.
      try {
        await db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: deliveryKey(id),
            ConditionExpression: "claimToken = :claimToken",
            ExpressionAttributeValues: { ":claimToken": claimToken },
          }),
        );
      } catch (error) {
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      }
    },
  };
}
