-- POST a comment (a durable write on portico).
wrk.method = "POST"
wrk.path = "/prod/comments"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"pageId":"bench-post","userName":"wrk","message":"hello from the benchmark"}'
