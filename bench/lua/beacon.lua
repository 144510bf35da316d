-- The counting request of the CDN mode: the page's htmx request on load, every one
-- from a reader of its own (reader_headers in report.lua), so each one counts.
local counter = 0

function request()
  counter = counter + 1
  local headers = reader_headers(counter)
  headers["HX-Request"] = "true"
  return wrk.format(nil, nil, headers)
end
