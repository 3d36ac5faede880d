-- GET one page of comments.
wrk.method = "GET"
wrk.path = "/prod/comments/bench-page"
