-- wrk script for lookup_bench: each connection goes round the request paths
-- listed one per line in the file named by $WRK_PATHS.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
