-- GetItem of one of the 1000 preloaded items, chosen at random.
package.path = package.path .. ";bench/dynamo/?.lua"
require("common")
local h = with_target("GetItem")
request = function()
    local body = string.format('{"TableName":"Bench","Key":{"pk":{"S":"item-%d"}}}', math.random(0, 999))
    return wrk.format("POST", "/", h, body)
end
