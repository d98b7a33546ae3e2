/**
 * A DynamoDB write with a ConditionExpression, told apart by outcome: true when it was written,
 * false when its condition did not hold; any other failure is thrown.
 */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export function isConditionFailure(error: unknown): boolean {
  return (error as Error | undefined)?.name === "ConditionalCheckFailedException";
}
