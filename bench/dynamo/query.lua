-- Query on the global secondary index: one of the 100 preloaded groups (10 items each).
package.path = package.path .. ";bench/dynamo/?.lua"
require("common")
local h = with_target("Query")
request = function()
    local body = string.format(
        '{"TableName":"Bench","IndexName":"by-group","KeyConditionExpression":"g = :g",' ..
        '"ExpressionAttributeValues":{":g":{"S":"g%d"}}}', math.random(0, 99))
    return wrk.format("POST", "/", h, body)
end
