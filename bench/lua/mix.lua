-- Readers of the hot article, each request a reader of its own (RUN_NONCE, thread
-- id, counter), and after every POST_EVERY reads one comment posted to POST_PATH
-- as a browser without JavaScript sends the form: the CSRF cookie and token and
-- the signed time the form was issued, all taken from the page (POST_FIELDS), the
-- empty honeypot, and a text of its own carrying MARKER, so no post is a repeat and
-- the run can find its comments afterwards. A reader of its own per post also keeps
-- every poster far from the rate limit.
local counter = 0

function request()
  counter = counter + 1
  local agent = string.format(
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 Reader/%s-%d-%d",
    RUN_NONCE, thread_id, counter)
  if counter % (POST_EVERY + 1) == 0 then
    posts_sent = posts_sent + 1
    local body = string.format("%s&body=%s+%d+%d+what+a+night+in+the+final",
      POST_FIELDS, MARKER, thread_id, counter)
    return wrk.format("POST", POST_PATH, {
      ["User-Agent"] = agent,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = CSRF_COOKIE,
    }, body)
  end
  return wrk.format(nil, nil, { ["User-Agent"] = agent })
end
