-- make bench, figure 5 (bench/authorizer.mjs): wrk sends each request with a header no other
-- request has (X-Bench-Serial: 1, 2, 3 …), besides the cookie given with -H. authorizer.fcgi
-- answers a request from its memo only when its params match a remembered one but for the
-- request's own address and kind (docs/authorizer.md, "Files and changes"), so through this script every
-- request is decided afresh: the row that shows the check itself.
local serial = 0
request = function()
  serial = serial + 1
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["X-Bench-Serial"] = tostring(serial)
  return wrk.format(nil, nil, headers)
end
