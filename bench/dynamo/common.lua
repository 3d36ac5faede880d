-- Shared by the DynamoDB wire API benchmarks: the headers every SDK request carries. Nothing is
-- signed (neither Portico nor dynalite verifies signatures); the Authorization header only has to be
-- well formed.
headers = {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request, " ..
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000",
    ["X-Amz-Date"] = "20240101T000000Z",
}

local threads = {}
function setup(thread)
    thread:set("thread_id", #threads)
    table.insert(threads, thread)
end

function with_target(operation)
    local h = {}
    for k, v in pairs(headers) do h[k] = v end
    h["X-Amz-Target"] = "DynamoDB_20120810." .. operation
    return h
end
