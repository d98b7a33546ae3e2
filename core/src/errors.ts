/**
 * Typed application errors. Core throws them; the HTTP edge maps `status` to the response and
 * `code`/`message` to `{ "error": { "code", "message" } }`. Anything else is a 500 without details.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export class BadRequest extends AppError {
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}
export class Unauthorized extends AppError {
  constructor(code = "unauthorized", message = "Sign in first.") {
    super(401, code, message);
  }
}
export class Forbidden extends AppError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}
export class NotFound extends AppError {
  constructor(code = "not_found", message = "Not found.") {
    super(404, code, message);
  }
}
export class Conflict extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}
export class PayloadTooLarge extends AppError {
  constructor(message: string) {
    super(413, "payload_too_large", message);
  }
}
export class Unprocessable extends AppError {
  constructor(code: string, message: string) {
    super(422, code, message);
  }
}
export class TooManyRequests extends AppError {
  constructor(code: string, message: string) {
    super(429, code, message);
  }
}
/** A rate limit was hit: 429 rate_limited, with Retry-After (seconds) for the HTTP edge. */
export class RateLimited extends TooManyRequests {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", message);
  }
}
/** A service we depend on (GitHub, Step Functions, RunPod) failed or answered nonsense. */
export class BadGateway extends AppError {
  constructor(code: string, message: string) {
    super(502, code, message);
  }
}
/** A required setting is missing or malformed: a deployment problem, reported clearly. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super(500, "configuration_error", message);
    this.name = "ConfigError";
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
