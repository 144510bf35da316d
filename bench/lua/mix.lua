-- Readers of the hot article, each request a reader of its own (reader_headers in
-- report.lua), and after every POST_EVERY reads a commenter: one request for the
-- comment form (FORM_PATH, htmx, as the page fetches it) and, once a form fetched
-- earlier is FORM_WAIT_SECONDS old, one comment posted to POST_PATH with it as a
-- browser without JavaScript sends the form: the CSRF cookie and token
-- (CSRF_COOKIE, POST_FIELDS), that form's own signed issue time (a token is
-- usable once), the empty honeypot, and a text of its own carrying MARKER, so no
-- post is a repeat and the run can find its comments afterwards. A reader of its
-- own per post also keeps every poster far from the rate limit. Until the first
-- forms are old enough the post's turn is a read.
local counter = 0
local forms = {} -- issue times of the forms this thread fetched, oldest first

-- Called by report.lua's response(): keep the signed issue time of a fetched form.
function take_form(status, body)
  if status == 200 and #body < 16000 then -- a form fragment, not a page
    local issued = string.match(body, 'name="issued" value="([^"]+)"')
    if issued then
      table.insert(forms, { issued = issued, at = os.time() })
    end
  end
end

function request()
  counter = counter + 1
  local headers = reader_headers(counter)
  local turn = counter % (POST_EVERY + 2)
  if turn == POST_EVERY then
    headers["HX-Request"] = "true"
    headers["Cookie"] = CSRF_COOKIE
    return wrk.format("GET", FORM_PATH, headers)
  end
  if turn == POST_EVERY + 1 and forms[1] and os.time() - forms[1].at >= FORM_WAIT_SECONDS then
    local form = table.remove(forms, 1)
    posts_sent = posts_sent + 1
    local body = string.format("%s&issued=%s&body=%s+%d+%d+what+a+night+in+the+final",
      POST_FIELDS, form.issued, MARKER, thread_id, counter)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Cookie"] = CSRF_COOKIE
    return wrk.format("POST", POST_PATH, headers, body)
  end
  return wrk.format(nil, nil, headers)
end
