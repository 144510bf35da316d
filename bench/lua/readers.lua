-- Every request a distinct reader (reader_headers in report.lua): a User-Agent and
-- an address of its own, so each one may count a view.
local counter = 0

function request()
  counter = counter + 1
  return wrk.format(nil, nil, reader_headers(counter))
end
