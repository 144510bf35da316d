-- Readers of the hot article, and one request in POST_EVERY a comment posted to
-- POST_PATH with POST_BODY, through htmx as a browser with JavaScript would. The
-- CSRF cookie and field carry the same token, as a browser's form would.
local counter = 0
local csrf = "benchcsrftokenbenchcsrftoken0000"

function request()
  counter = counter + 1
  local agent = string.format(
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 Reader/%s-%d-%d",
    RUN_NONCE, thread_id, counter)
  if counter % POST_EVERY == 0 then
    return wrk.format("POST", POST_PATH, {
      ["User-Agent"] = agent,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "csrftoken=" .. csrf,
      ["HX-Request"] = "true",
    }, POST_BODY .. "&csrfmiddlewaretoken=" .. csrf)
  end
  return wrk.format(nil, nil, { ["User-Agent"] = agent })
end
