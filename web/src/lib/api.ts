/**
 * The dashboard's only way to talk to Doctown: same-origin JSON calls to the HTTP API. Every
 * failure becomes an ApiError whose message can be shown as is; a 401 (signed out or session
 * expired) sends the visitor back to the sign-in page unless the caller handles it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type ApiOptions = {
  method?: "GET" | "POST" | "PATCH" | "PUT";
  body?: unknown;
  /** Default true: a 401 leaves the page for the sign-in page. */
  redirectOn401?: boolean;
  signal?: AbortSignal;
};

export const SIGN_IN_PAGE = "/?signin=required";
let leaving = false;

/** Leaves for the sign-in page once, however many calls find the session gone. */
export function goToSignIn() {
  if (leaving) return;
  leaving = true;
  location.assign(SIGN_IN_PAGE);
}

export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const { method = "GET", body, redirectOn401 = true, signal } = options;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      signal,
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "unreachable", "Doctown could not be reached. Check your connection and try again.");
  }
  if (response.status === 401 && redirectOn401) {
    goToSignIn();
    throw new ApiError(401, "unauthorized", "Your session has ended; sign in again.");
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw errorFrom(response.status, data);
  if (data === undefined) throw new ApiError(response.status, "bad_response", "Doctown answered with something that is not JSON.");
  return data as T;
}

function errorFrom(status: number, data: unknown): ApiError {
  const error = (data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.message === "string") return new ApiError(status, typeof error.code === "string" ? error.code : "error", error.message);
  if (status === 401) return new ApiError(status, "unauthorized", "Sign in first.");
  if (status >= 500) return new ApiError(status, "server_error", `Doctown is having trouble right now (HTTP ${status}). Try again in a moment.`);
  return new ApiError(status, "http_error", `The request failed (HTTP ${status}).`);
}

/** A message for any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
