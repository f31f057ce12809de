-- wrk: unauthenticated PutObject of 4 KiB bodies to /bench/obj-N, N cycling through KEYS names
-- (overwrites after the first pass, so memory stays flat on both servers).
local KEYS = 1000
local n = 0
wrk.method = "PUT"
wrk.body = string.rep("x", 4096)
wrk.headers["Content-Type"] = "application/octet-stream"

request = function()
    n = n + 1
    return wrk.format(nil, "/bench/obj-" .. (n % KEYS))
end

response = function(status)
    if status ~= 200 then
        io.stderr:write("PUT answered " .. status .. "\n")
    end
end
