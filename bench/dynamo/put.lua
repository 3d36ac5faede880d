-- PutItem of a new item each time (about 150 bytes, with the GSI key attributes).
package.path = package.path .. ";bench/dynamo/?.lua"
require("common")
local h = with_target("PutItem")
local n = 0
local pad = string.rep("x", 100)
request = function()
    n = n + 1
    local body = string.format(
        '{"TableName":"Bench","Item":{"pk":{"S":"w%d-%d"},"g":{"S":"g%d"},"s":{"N":"%d"},"data":{"S":"%s"}}}',
        thread_id or 0, n, n % 100, n, pad)
    return wrk.format("POST", "/", h, body)
end
