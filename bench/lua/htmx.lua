-- One reader's browser asking for an htmx fragment (as "Load more" does).
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
wrk.headers["HX-Request"] = "true"
