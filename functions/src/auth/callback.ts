// Placeholder until the handler lands: the infrastructure deploys it, calls fail loudly.
export async function handler(): Promise<never> {
  throw new Error("not implemented");
}
