-- The counting request of the CDN mode: the page's htmx request on load, every one
-- from a reader of its own (RUN_NONCE, thread id, counter), so each one counts.
local counter = 0

function request()
  counter = counter + 1
  local agent = string.format(
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 Reader/%s-%d-%d",
    RUN_NONCE, thread_id, counter)
  return wrk.format(nil, nil, { ["User-Agent"] = agent, ["HX-Request"] = "true" })
end
