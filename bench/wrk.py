"""wrk scripts and the parsing of wrk's output: no Django, no server."""

import json
import subprocess
from pathlib import Path

LUA_DIR = Path(__file__).with_name("lua")
MARKER = "BENCH_JSON "


def lua_literal(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value))  # a JSON string is a valid Lua string literal here


def build_script(kind, **constants):
    """The Lua script for one scenario: constants, the request part, the report part.

    kind is "plain" (one repeat reader), "htmx" (one reader's htmx fragment),
    "readers" (every request a distinct reader), "beacon" (distinct readers' htmx
    counting requests) or "mix" (distinct readers plus comment posts).
    """
    lines = [f"{name} = {lua_literal(value)}" for name, value in sorted(constants.items())]
    parts = ["\n".join(lines), (LUA_DIR / f"{kind}.lua").read_text()]
    parts.append((LUA_DIR / "report.lua").read_text())
    return "\n".join(parts)


def parse_output(stdout):
    """The report that report.lua's done() printed, with requests/s and milliseconds."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            break
    else:
        raise ValueError("wrk printed no report line; is the script's done() missing?")
    seconds = data["duration_us"] / 1_000_000
    status = data["status"]
    latency = data["latency_us"]
    return {
        "requests": data["requests"],
        "seconds": round(seconds, 3),
        "rps": round(data["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p90_ms": round(latency["p90"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "status": status,
        "posts_sent": data.get("posts", 0),
        "non_2xx": status["3xx"] + status["4xx"] + status["5xx"],
        "socket_errors": {k: v for k, v in data["errors"].items() if k != "status"},
    }


def run(url, script_text, script_path, duration, connections, threads):
    """Run wrk against url for duration seconds; return the parsed report."""
    Path(script_path).write_text(script_text)
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=10s",
        f"--script={script_path}",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip()}")
    return parse_output(result.stdout)
