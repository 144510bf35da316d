# Varnish in front of Newsroom: caches what Django marks as shared, passes the
# rest, and drops tagged objects when the site sends a PURGE. See docs/deploy.md.
vcl 4.1;

import std;

# The Django application (gunicorn). Change host and port here, on this line only.
backend default { .host = "127.0.0.1"; .port = "8000"; }

# Who may send PURGE: the app servers. Add their addresses here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.Surrogate-Key) {
            return (purge);  # no key: drop every variant of this URL
        }
        if (req.http.Surrogate-Key !~ "^[A-Za-z0-9_-]+( +[A-Za-z0-9_-]+)*$") {
            return (synth(400, "Bad Surrogate-Key"));
        }
        # One ban for all the keys, each matched as a whole word. It names only
        # obj.http, so the ban lurker can evict in the background.
        if (!std.ban("obj.http.Surrogate-Key ~ (^|\s)(" +
                regsuball(req.http.Surrogate-Key, " +", "|") + ")(\s|$)")) {
            return (synth(500, std.ban_error()));
        }
        return (synth(200, "Purged"));
    }

    # Never cached: writes, the editors' desk, the view beacon, the health
    # check, preview links (a draft, for whoever holds the link).
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/admin/" || req.url ~ "^/health/" || req.url ~ "^/articles/[^/?]+/viewed/"
            || req.url ~ "^/preview/") {
        return (pass);
    }
    # A session (an editor) or a pending flash message makes the page personal.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }

    # Any other cookie (csrftoken, analytics) does not change a public page.
    unset req.http.Cookie;

    # Campaign parameters do not change the page either: one object per page.
    if (req.url ~ "[?&](utm_[a-z]+|fbclid|gclid)=") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|fbclid|gclid)=[^&]*&?", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    # The built-in vcl_recv follows, and vcl_hash keys objects on URL and host.
}

sub vcl_backend_response {
    # Only what Django marks as shared is stored: s-maxage (else max-age) gives
    # the TTL and stale-while-revalidate the grace, both by Varnish's defaults.
    # The built-in code that follows refuses private, no-store, no-cache and any
    # response that sets a cookie.
    if (beresp.http.Cache-Control !~ "(?i)(public|s-maxage)") {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;  # remember to go straight to the backend
        return (deliver);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    set resp.http.X-Cache-Hits = obj.hits;
    # The keys stay on the stored object for bans; readers do not need them.
    unset resp.http.Surrogate-Key;
}
