-- Prints one machine-readable line at the end of a wrk run. With an argument N, sends N
-- pipelined requests per write (TechEmpower's plaintext style); wrk then counts every
-- response, while one latency sample covers a whole batch.
local depth = 1

init = function(args)
  depth = tonumber(args[1]) or 1
  if depth > 1 then
    local batch = {}
    for i = 1, depth do batch[i] = wrk.format() end
    pipelined = table.concat(batch)
  end
end

request = function()
  if pipelined then return pipelined end
  return wrk.format()
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors))
end
