"""Doctown's RunPod queue worker: runs one builder job per call in the bundled Node builder.

The work stays in Node (builder/dist/runpod-job.mjs, protocol in builder/src/runpod/job.ts):
the job input goes to the child on stdin (it holds tokens: never argv), the child prints JSON lines
on stdout ({"progress": ...} forwarded to RunPod, then one {"output": ...} or {"error": ...}) and
itself reports progress and completion to the Doctown API. The child runs in its own process
group; on cancel (RunPod stops the job's task) or timeout the whole group gets SIGTERM (the build
aborts and reports the failure), then SIGKILL after a grace period: nothing outlives the job.

Settings (environment): DOCTOWN_NODE (default "node"), DOCTOWN_JOB_SCRIPT (default the bundle
next to this file's ../dist), DOCTOWN_JOB_TIMEOUT_SECONDS (default 1800),
DOCTOWN_JOB_STOP_GRACE_SECONDS (default 15); the build reads OPENAI_API_KEY, OPENAI_BASE_URL,
OPENAI_MODEL (or DOCTOWN_MODEL), ….
Local API server for development and tests:
    python builder/runpod/handler.py --rp_serve_api --rp_api_host 127.0.0.1 --rp_api_port 8000
"""

import asyncio
import json
import os
import signal
import sys

import runpod

HERE = os.path.dirname(os.path.abspath(__file__))
NODE = os.environ.get("DOCTOWN_NODE", "node")
JOB_SCRIPT = os.environ.get("DOCTOWN_JOB_SCRIPT", os.path.join(HERE, "..", "dist", "runpod-job.mjs"))
TIMEOUT_SECONDS = float(os.environ.get("DOCTOWN_JOB_TIMEOUT_SECONDS", "1800"))
STOP_GRACE_SECONDS = float(os.environ.get("DOCTOWN_JOB_STOP_GRACE_SECONDS", "15"))
# Progress goes to RunPod only on RunPod (the SDK's local API server has nowhere to send it).
ON_RUNPOD = bool(os.environ.get("RUNPOD_WEBHOOK_POST_OUTPUT"))
# The worker's own RunPod credentials and URLs are no business of the build.
CHILD_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("RUNPOD_AI_", "RUNPOD_WEBHOOK_"))}
# The endpoint may name the model as OPENAI_MODEL, next to OPENAI_API_KEY and OPENAI_BASE_URL.
if CHILD_ENV.get("OPENAI_MODEL") and not CHILD_ENV.get("DOCTOWN_MODEL"):
    CHILD_ENV["DOCTOWN_MODEL"] = CHILD_ENV["OPENAI_MODEL"]


def log(message):
    print(f"doctown-worker: {message}", file=sys.stderr, flush=True)


def signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


async def stop(child):
    """SIGTERM to the child's whole group (git included), SIGKILL after the grace period."""
    signal_group(child.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(child.wait(), STOP_GRACE_SECONDS)
    except asyncio.TimeoutError:
        log(f"builder {child.pid} ignored SIGTERM for {STOP_GRACE_SECONDS:g} s: killing it")
    signal_group(child.pid, signal.SIGKILL)
    await child.wait()


async def read_result(child, job):
    """Forwards progress lines; returns the last result line (None if the child printed none)."""
    result = None
    async for raw in child.stdout:
        try:
            message = json.loads(raw)
        except ValueError:
            log(f"ignored a non-JSON line from the builder: {raw[:200]!r}")
            continue
        if not isinstance(message, dict):
            continue
        if "progress" in message:
            if ON_RUNPOD:
                runpod.serverless.progress_update(job, message["progress"])
        elif "output" in message or "error" in message:
            result = message
    return result


def failure(error):
    """RunPod's error field is a string: "code: message"."""
    if isinstance(error, dict):
        return {"error": f"{error.get('code', 'build_failed')}: {error.get('message', 'The build failed.')}"}
    return {"error": str(error)}


async def handler(job):
    if not isinstance(job.get("input"), dict):
        return failure({"code": "invalid_input", "message": "the job input must be a JSON object"})
    child = await asyncio.create_subprocess_exec(
        NODE,
        JOB_SCRIPT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=CHILD_ENV,
        start_new_session=True,  # its own process group: stop() reaches every process it starts
        limit=1024 * 1024,
    )
    log(f"job {job.get('id')}: builder pid {child.pid}")
    try:
        child.stdin.write(json.dumps(job["input"]).encode())
        await child.stdin.drain()
        child.stdin.close()
        try:
            result = await asyncio.wait_for(read_result(child, job), TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            log(f"job {job.get('id')}: over {TIMEOUT_SECONDS:g} s, stopping the builder")
            await stop(child)
            return failure({"code": "timed_out", "message": f"The build ran over {TIMEOUT_SECONDS:g} s."})
        code = await child.wait()
        if result and "output" in result and code == 0:
            return result["output"]
        if result and "error" in result:
            return failure(result["error"])
        return failure({"code": "builder_crashed", "message": f"The builder exited with status {code} and no result."})
    except asyncio.CancelledError:
        log(f"job {job.get('id')}: cancelled, stopping the builder")
        await stop(child)
        raise
    finally:
        # Whatever happened, nothing of this job's process group survives it.
        signal_group(child.pid, signal.SIGKILL)
        if child.returncode is None:
            await child.wait()


if __name__ == "__main__":
    runpod.serverless.start({"handler": handler})
