-- Every request a distinct reader: a User-Agent unique across threads (thread id and
-- a per-thread counter) and across runs (RUN_NONCE), so each one may count a view.
local counter = 0

function request()
  counter = counter + 1
  local agent = string.format(
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 Reader/%s-%d-%d",
    RUN_NONCE, thread_id, counter)
  return wrk.format(nil, nil, { ["User-Agent"] = agent })
end
