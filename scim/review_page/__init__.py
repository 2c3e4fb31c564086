"""The review page at `/review`: the drift report and the review export for a certifier
with a read token, as tables a person sorts and filters, and a chart of unused access
per account.

The page (`static/`: HTML, JS and CSS, no build step, nothing from a CDN) holds no
data and needs no token. It reads the reports' own JSON endpoints
(`reports/drift`, `reports/review?format=json`: scim.views.reports) with the token
the person typed, kept in sessionStorage and sent as a Bearer header as the
operator page does (docs/access-review.md, "Review page").
"""
