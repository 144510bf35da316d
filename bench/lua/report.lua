-- Counts responses by status class in every thread and prints one JSON line when
-- wrk is done: requests, duration, latency percentiles, status counts and the
-- comment posts a mix script sent (posts_sent).
local threads = {}
local next_thread_id = 1

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

-- The headers of distinct reader number n of this thread: a User-Agent of its own
-- (RUN_NONCE, thread id, n) and, as the proxy in front of the site reports it
-- (NEWSROOM_TRUSTED_PROXIES=1), an address of its own, 10.<thread>.<n>: 65,536
-- per thread before one comes again, so no address nears the cap on views.
function reader_headers(n)
  return {
    ["User-Agent"] = string.format(
      "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 Reader/%s-%d-%d",
      RUN_NONCE, thread_id, n),
    ["X-Forwarded-For"] = string.format(
      "10.%d.%d.%d", thread_id % 256, math.floor(n / 256) % 256, n % 256),
  }
end

status_2xx, status_3xx, status_4xx, status_5xx = 0, 0, 0, 0
posts_sent = 0

function response(status, headers, body)
  if take_form then -- the mix script keeps the comment forms it fetched
    take_form(status, body)
  end
  if status >= 500 then
    status_5xx = status_5xx + 1
  elseif status >= 400 then
    status_4xx = status_4xx + 1
  elseif status >= 300 then
    status_3xx = status_3xx + 1
  else
    status_2xx = status_2xx + 1
  end
end

function done(summary, latency, requests)
  local counts = { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0 }
  local posts = 0
  for _, thread in ipairs(threads) do
    posts = posts + thread:get("posts_sent")
    counts["2xx"] = counts["2xx"] + thread:get("status_2xx")
    counts["3xx"] = counts["3xx"] + thread:get("status_3xx")
    counts["4xx"] = counts["4xx"] + thread:get("status_4xx")
    counts["5xx"] = counts["5xx"] + thread:get("status_5xx")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"status": {"2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d}, ' ..
    '"posts": %d, "latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, ' ..
    '"p50": %d, "p90": %d, "p99": %d, "p999": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    counts["2xx"], counts["3xx"], counts["4xx"], counts["5xx"],
    posts, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
end
